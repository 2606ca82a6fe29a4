package dev.outpost.e2e.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

/** The database a hub under test uses: its embedded H2 default, or a fresh PostgreSQL database. */
public interface TestDatabase extends AutoCloseable {

    /** Environment variables that point a hub at this database (none for the embedded default). */
    Map<String, String> hubEnvironment();

    /** Short name for logs and test names. */
    String kind();

    @Override
    void close();

    /** The hub's embedded H2 file database in its data directory. */
    static TestDatabase embeddedH2() {
        return new TestDatabase() {
            @Override
            public Map<String, String> hubEnvironment() {
                return Map.of();
            }

            @Override
            public String kind() {
                return "h2";
            }

            @Override
            public void close() {
            }
        };
    }

    /**
     * A new, empty database on the PostgreSQL named by OUTPOST_TEST_PG_URL / _USER / _PASSWORD
     * (defaults: 127.0.0.1:5432, outpost/outpost; scripts/postgres-up.sh sets that up), dropped on close.
     */
    static TestDatabase freshPostgres() {
        return freshPostgres(Map.of());
    }

    /**
     * As {@link #freshPostgres()}, with run-time parameters set for every connection to the database
     * (ALTER DATABASE ... SET), as a DBA might, e.g. {@code synchronous_commit=off}. Names and values
     * come from test code, never from input.
     */
    static TestDatabase freshPostgres(Map<String, String> databaseSettings) {
        String adminUrl = env("OUTPOST_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/outpost");
        String user = env("OUTPOST_TEST_PG_USER", "outpost");
        String password = env("OUTPOST_TEST_PG_PASSWORD", "outpost");
        String name = "outpost_e2e_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        execute(adminUrl, user, password, "CREATE DATABASE " + name);
        databaseSettings.forEach((setting, value) ->
                execute(adminUrl, user, password, "ALTER DATABASE " + name + " SET " + setting + " = " + value));
        String url = adminUrl.substring(0, adminUrl.lastIndexOf('/') + 1) + name;
        return new TestDatabase() {
            @Override
            public Map<String, String> hubEnvironment() {
                return Map.of("OUTPOST_DB_URL", url, "OUTPOST_DB_USER", user, "OUTPOST_DB_PASSWORD", password);
            }

            @Override
            public String kind() {
                return "postgresql";
            }

            @Override
            public void close() {
                execute(adminUrl, user, password, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        };
    }

    private static void execute(String url, String user, String password, String sql) {
        try (Connection connection = DriverManager.getConnection(url, user, password);
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + url + " is needed for this test (run scripts/postgres-up.sh): "
                    + e.getMessage(), e);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
