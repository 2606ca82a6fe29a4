package dev.outpost.agent.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.v1.LogLine;
import dev.outpost.protocol.v1.SourceLogs;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentOwnLogTest {
    @TempDir
    Path stateDir;

    @Test
    void linesWrittenBeforeAndAfterShippingStartsReachTheBufferAsTheAgentsSourceMaskedAndInOrder() throws Exception {
        SteppingClock clock = new SteppingClock();
        try (AgentOwnLog own = AgentOwnLog.forTest(clock)) {
            PrintStream err = own.stream();
            err.println("[main] INFO Outpost agent starting");
            clock.back(); // the clock steps back: positions must still grow
            err.println("[main] WARN token=jt_abc.secret refused");
            LogBuffer buffer = new LogBuffer(1 << 20, new LogPositionStore(stateDir), "agent=a1");
            own.shipTo(buffer, new SecretMask(List.of(), List.of(Pattern.compile("jt_[a-z]+\\.[a-z]+"))));
            err.print("x".repeat(GrpcLimits.MAX_LOG_LINE_BYTES + 10) + "\r\n");

            List<LogLine> lines = new ArrayList<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                Optional<PreparedBatch> batch = buffer.nextBatch(1000, 1 << 20);
                batch.ifPresent(b -> {
                    for (SourceLogs source : b.sources) {
                        assertThat(source.getSource().getAgent()).isTrue();
                        assertThat(source.getSource().getDeploymentId()).isEmpty();
                        assertThat(source.getSource().getContainer()).isEqualTo(AgentOwnLog.CONTAINER);
                        lines.addAll(source.getLinesList());
                    }
                    buffer.acknowledged(b);
                });
                return lines.size() >= 3;
            });

            assertThat(lines.get(0).getText()).isEqualTo("[main] INFO Outpost agent starting");
            assertThat(lines.get(1).getText()).isEqualTo("[main] WARN token=**** refused").doesNotContain("secret");
            assertThat(lines.get(2).getTruncated()).isTrue();
            assertThat(lines.get(2).getText()).doesNotContain("\r");
            for (int i = 1; i < lines.size(); i++) {
                assertThat(LinePosition.of(lines.get(i).getPosition())).isGreaterThan(LinePosition.of(lines.get(i - 1).getPosition()));
            }
        }
    }

    @Test
    void withAHubThatDoesNotTakeItNothingIsQueuedUntilOneThatDoesWelcomesTheAgent() throws Exception {
        try (AgentOwnLog own = AgentOwnLog.forTest(new SteppingClock())) {
            PrintStream err = own.stream();
            err.println("before the hub answered");
            assertThat(own.stopCapturing()).isTrue();
            assertThat(own.stopCapturing()).as("said once").isFalse();
            err.println("while the hub is an older one");
            LogBuffer buffer = new LogBuffer(1 << 20, new LogPositionStore(stateDir), "agent=a1");
            own.shipTo(buffer, SecretMask.NONE);
            err.println("after a hub that takes it");

            List<String> texts = new ArrayList<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                buffer.nextBatch(1000, 1 << 20).ifPresent(b -> {
                    b.sources.forEach(source -> source.getLinesList().forEach(line -> texts.add(line.getText())));
                    buffer.acknowledged(b);
                });
                return !texts.isEmpty();
            });
            assertThat(texts).containsExactly("after a hub that takes it");
        }
    }

    /** Starts at a fixed time, one millisecond further at every read, one second back when asked. */
    private static final class SteppingClock extends Clock {
        private long millis = Instant.parse("2026-12-04T10:00:00Z").toEpochMilli();

        synchronized void back() {
            millis -= 1000;
        }

        @Override
        public synchronized Instant instant() {
            return Instant.ofEpochMilli(millis++);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
