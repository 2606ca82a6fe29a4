package dev.outpost.hub.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * A fresh PostgreSQL database for one test class, created through the test server's admin
 * connection (OUTPOST_TEST_PG_URL / _USER / _PASSWORD) and dropped afterwards. Fails, never skips,
 * when the server is unreachable.
 */
public final class PostgresTestDatabase {
    private static final String ADMIN_URL = env("OUTPOST_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/outpost");
    /** Role the tests connect as. */
    public static final String USER = env("OUTPOST_TEST_PG_USER", "outpost");
    /** Its password. */
    public static final String PASSWORD = env("OUTPOST_TEST_PG_PASSWORD", "outpost");

    private final String name;

    private PostgresTestDatabase(String name) {
        this.name = name;
    }

    /** Creates {@code outpost_it_<random>}. */
    public static PostgresTestDatabase create() {
        String name = "outpost_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
        execute("create database " + name);
        return new PostgresTestDatabase(name);
    }

    /**
     * Sets a run-time parameter for every new connection to this database (ALTER DATABASE ... SET), as
     * a DBA might; {@code name} and {@code value} come from test code, never from input.
     */
    public PostgresTestDatabase withSetting(String name, String value) {
        execute("alter database " + this.name + " set " + name + " = " + value);
        return this;
    }

    /** JDBC URL of the new database (the admin URL with its database name replaced). */
    public String url() {
        int slash = ADMIN_URL.lastIndexOf('/');
        int query = ADMIN_URL.indexOf('?', slash);
        return ADMIN_URL.substring(0, slash + 1) + name + (query < 0 ? "" : ADMIN_URL.substring(query));
    }

    /** A small connection pool to this database, for benchmarks that use the stores without the hub. */
    public com.zaxxer.hikari.HikariDataSource pool(int size) {
        com.zaxxer.hikari.HikariConfig pool = new com.zaxxer.hikari.HikariConfig();
        pool.setJdbcUrl(url());
        pool.setUsername(USER);
        pool.setPassword(PASSWORD);
        pool.setMaximumPoolSize(size);
        return new com.zaxxer.hikari.HikariDataSource(pool);
    }

    /** The hub's properties for this database: outpost.db-url, -user and -password. */
    public Map<String, String> hubProperties() {
        return Map.of("outpost.db-url", url(), "outpost.db-user", USER, "outpost.db-password", PASSWORD);
    }

    /** Takes the database away from its users: new connections are refused and open ones closed. */
    public void refuseConnections() {
        execute("alter database " + name + " allow_connections false");
        execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = '" + name + "'");
    }

    /** Undoes {@link #refuseConnections()}. */
    public void allowConnections() {
        execute("alter database " + name + " allow_connections true");
    }

    /** Drops the database, closing whatever connections the test left open. */
    public void drop() {
        execute("drop database if exists " + name + " with (force)");
    }

    private static void execute(String statement) {
        try (Connection c = DriverManager.getConnection(ADMIN_URL, USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL for integration tests is not usable at " + ADMIN_URL + " as "
                    + USER + " (" + e.getMessage() + "). Start it (e.g. 'pg_ctlcluster 15 main start') with a role that "
                    + "has CREATEDB, or point OUTPOST_TEST_PG_URL/_USER/_PASSWORD at one.", e);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
