package dev.outpost.hub.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.outpost.hub.testsupport.PostgresTestDatabase;
import io.micronaut.context.ApplicationContext;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The hub starts only on database settings that keep every confirmed write, on real H2 and
 * PostgreSQL; a setting that can lose one is refused with its name, or accepted explicitly and warned about.
 */
class DurabilityStartupIT {
    @TempDir
    Path dataDir;

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger checkLogger = (Logger) LoggerFactory.getLogger(DurabilityCheck.class);

    @BeforeEach
    void captureLog() {
        log.start();
        checkLogger.addAppender(log);
    }

    @AfterEach
    void releaseLog() {
        checkLogger.detachAppender(log);
    }

    @Test
    void theEmbeddedDefaultWritesEveryCommitWithoutDelay() {
        try (ApplicationContext ctx = ApplicationContext.run(hub(Map.of()))) {
            Map<String, String> settings = ctx.getBean(Database.class)
                    .read(sql -> DurabilityCheck.readSettings(sql, DatabaseKind.H2));
            assertThat(settings).containsEntry("write_delay", "0");
        }
        assertThat(messages(Level.INFO)).singleElement().asString().contains("h2: {write_delay=0}");
    }

    @Test
    void h2WithAWriteDelayIsRefusedUnlessAccepted() {
        String url = "jdbc:h2:file:" + dataDir.resolve("delayed") + ";WRITE_DELAY=500";

        assertThatThrownBy(() -> ApplicationContext.run(hub(Map.of("outpost.db-url", url))).close())
                .rootCause().isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("The database can lose writes the hub has confirmed: H2 WRITE_DELAY is 500 ms")
                .hasMessageContaining("outpost.db-accept-losable-writes");

        try (ApplicationContext ctx = ApplicationContext.run(hub(Map.of("outpost.db-url", url,
                "outpost.db-accept-losable-writes", "true")))) {
            Map<String, String> settings = ctx.getBean(Database.class)
                    .read(sql -> DurabilityCheck.readSettings(sql, DatabaseKind.H2));
            assertThat(settings).containsEntry("write_delay", "500");
        }
        assertThat(messages(Level.WARN)).singleElement().asString()
                .startsWith("CONFIRMED WRITES CAN BE LOST").contains("H2 WRITE_DELAY is 500 ms");
    }

    @Test
    void postgresWithItsDefaultsStarts() {
        PostgresTestDatabase database = PostgresTestDatabase.create();
        try (ApplicationContext ignored = ApplicationContext.run(hub(postgres(database)))) {
            assertThat(messages(Level.INFO)).singleElement().asString()
                    .contains("postgresql: {fsync=on, full_page_writes=on, synchronous_commit=on}");
        } finally {
            database.drop();
        }
    }

    @Test
    void postgresWithAsynchronousCommitIsRefusedUnlessAccepted() {
        // Set for the database, as a DBA might: the hub must look at what its own connections get.
        PostgresTestDatabase database = PostgresTestDatabase.create().withSetting("synchronous_commit", "off");
        try {
            assertThatThrownBy(() -> ApplicationContext.run(hub(postgres(database))).close())
                    .rootCause().isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("The database can lose writes the hub has confirmed: "
                            + "PostgreSQL synchronous_commit is off for the hub's connections")
                    .hasMessageContaining("outpost.db-accept-losable-writes");

            Map<String, Object> accepted = new HashMap<>(postgres(database));
            accepted.put("outpost.db-accept-losable-writes", "true");
            try (ApplicationContext ignored = ApplicationContext.run(hub(accepted))) {
                assertThat(messages(Level.WARN)).singleElement().asString()
                        .startsWith("CONFIRMED WRITES CAN BE LOST").contains("synchronous_commit is off");
            }
        } finally {
            database.drop();
        }
    }

    private Map<String, Object> hub(Map<String, ?> extra) {
        Map<String, Object> props = new HashMap<>(extra);
        props.put("outpost.data-dir", dataDir.toString());
        props.put("outpost.grpc-port", "0");
        props.put("micronaut.server.port", "-1");
        return props;
    }

    private static Map<String, Object> postgres(PostgresTestDatabase database) {
        return Map.of("outpost.db-url", database.url(), "outpost.db-user", PostgresTestDatabase.USER,
                "outpost.db-password", PostgresTestDatabase.PASSWORD);
    }

    private List<String> messages(Level level) {
        return log.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }
}
