package dev.outpost.agent.logs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.protocol.GrpcLimits;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LogLineParserTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-04T06:00:00Z"), ZoneOffset.UTC);
    private final LogLineParser parser = new LogLineParser(CLOCK);

    @Test
    void theTimestampBecomesThePositionAndLinesOfOneTimeAreNumbered() throws IOException {
        List<ParsedLine> lines = parseAll("""
                2026-12-04T06:25:00.123456789Z first
                2026-12-04T06:25:00.123456789Z second\r
                2026-12-04T06:25:01Z third
                2026-12-04T07:25:01.5+01:00 fourth, same time as third
                """.getBytes(StandardCharsets.UTF_8), SecretMask.NONE);

        long t0 = Instant.parse("2026-12-04T06:25:00.123456789Z").getEpochSecond() * 1_000_000_000L + 123_456_789;
        long t1 = Instant.parse("2026-12-04T06:25:01Z").getEpochSecond() * 1_000_000_000L;
        assertThat(lines).extracting(ParsedLine::position).containsExactly(new LinePosition(t0, 0),
                new LinePosition(t0, 1), new LinePosition(t1, 0), new LinePosition(t1 + 500_000_000, 0));
        assertThat(lines).extracting(ParsedLine::text).containsExactly("first", "second", "third",
                "fourth, same time as third");
        assertThat(lines).noneMatch(ParsedLine::truncated);
    }

    @Test
    void aLongLineIsCutAtACharacterBoundaryAndMarked() throws IOException {
        // 3-byte characters: the limit falls inside one, which must not be split
        String longText = "€".repeat(GrpcLimits.MAX_LOG_LINE_BYTES / 3 + 10);
        List<ParsedLine> lines = parseAll(("2026-12-04T06:25:00Z " + longText + "\n2026-12-04T06:25:00Z short\n")
                .getBytes(StandardCharsets.UTF_8), SecretMask.NONE);

        ParsedLine cut = lines.getFirst();
        assertThat(cut.truncated()).isTrue();
        assertThat(cut.textBytes()).isLessThanOrEqualTo(GrpcLimits.MAX_LOG_LINE_BYTES)
                .isEqualTo(cut.text().getBytes(StandardCharsets.UTF_8).length).isEqualTo(GrpcLimits.MAX_LOG_LINE_BYTES / 3 * 3);
        assertThat(cut.text()).matches("€+");
        assertThat(lines.get(1).text()).isEqualTo("short");
        assertThat(lines.get(1).position().ordinal()).isEqualTo(1);
    }

    @Test
    void aLineFarBeyondWhatIsKeptIsReadPastAndMarked() throws IOException {
        String huge = "x".repeat(LogLineParser.MAX_RAW_LINE_BYTES * 3);
        List<ParsedLine> lines = parseAll(("2026-12-04T06:25:00Z " + huge + "\n2026-12-04T06:25:02Z next\n")
                .getBytes(StandardCharsets.UTF_8), SecretMask.NONE);

        assertThat(lines).hasSize(2);
        assertThat(lines.getFirst().truncated()).isTrue();
        assertThat(lines.getFirst().textBytes()).isEqualTo(GrpcLimits.MAX_LOG_LINE_BYTES);
        assertThat(lines.get(1).text()).isEqualTo("next");
    }

    @Test
    void invalidUtf8IsReplaced() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes("2026-12-04T06:25:00Z bad ".getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF});
        bytes.writeBytes(" end\n".getBytes(StandardCharsets.UTF_8));

        ParsedLine line = parseAll(bytes.toByteArray(), SecretMask.NONE).getFirst();

        assertThat(line.text()).isEqualTo("bad \uFFFD(\uFFFD end");
        assertThat(line.textBytes()).isEqualTo(line.text().getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void aLineWithoutItsLineBreakAtTheEndOfTheStreamIsLeftForTheNextConnection() throws IOException {
        List<ParsedLine> lines = parseAll("2026-12-04T06:25:00Z whole\n2026-12-04T06:25:00Z half of a li"
                .getBytes(StandardCharsets.UTF_8), SecretMask.NONE);

        assertThat(lines).extracting(ParsedLine::text).containsExactly("whole");
    }

    @Test
    void aLineWithoutATimestampKeepsTheSourcesLastTimeSoOrderHolds() throws IOException {
        List<ParsedLine> lines = parseAll("2026-12-04T06:25:00Z first\nno timestamp here\n"
                .getBytes(StandardCharsets.UTF_8), SecretMask.NONE);

        assertThat(lines.get(1).position()).isEqualTo(new LinePosition(lines.getFirst().position().timeUnixNanos(), 1));
        assertThat(lines.get(1).text()).isEqualTo("no timestamp here");
    }

    @Test
    void textIsMaskedBeforeItIsCut() throws IOException {
        SecretMask mask = new SecretMask(List.of("s3cr3t-value"), List.of(Pattern.compile("token=\\S+")));
        List<ParsedLine> lines = parseAll("2026-12-04T06:25:00Z login with s3cr3t-value and token=abc123 done\n"
                .getBytes(StandardCharsets.UTF_8), mask);

        assertThat(lines.getFirst().text()).isEqualTo("login with **** and **** done");
    }

    @Test
    void resumingFromASecondFindsTheSameOrdinals() {
        assertThat(ContainerFollower.sinceTime(new LinePosition(
                Instant.parse("2026-12-04T06:25:07.999Z").getEpochSecond() * 1_000_000_000L + 999_000_000, 3)))
                .isEqualTo("2026-12-04T06:25:07Z");
    }

    private List<ParsedLine> parseAll(byte[] stream, SecretMask mask) throws IOException {
        LogLineReader reader = new LogLineReader(new ByteArrayInputStream(stream), LogLineParser.MAX_RAW_LINE_BYTES);
        Ordinals ordinals = new Ordinals();
        List<ParsedLine> lines = new ArrayList<>();
        RawLine raw;
        while ((raw = reader.next()) != null) {
            lines.add(parser.parse(raw, ordinals, mask));
        }
        return lines;
    }
}
