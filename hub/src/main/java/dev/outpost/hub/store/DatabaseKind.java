package dev.outpost.hub.store;

import dev.outpost.hub.config.HubConfig;
import java.util.Locale;

/** The databases the hub supports; its schema and SQL are written to run unchanged on both. */
public enum DatabaseKind {
    H2("org.h2.Driver"),
    POSTGRESQL("org.postgresql.Driver");

    private final String driverClassName;

    DatabaseKind(String driverClassName) {
        this.driverClassName = driverClassName;
    }

    /** The JDBC driver class for this database. */
    public String driverClassName() {
        return driverClassName;
    }

    /** Lower-case name for logs, e.g. "h2". */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind the hub's configuration names: embedded H2 unless a database URL is set. */
    public static DatabaseKind configured(HubConfig config) {
        return config.getDbUrl().map(DatabaseKind::of).orElse(H2);
    }

    /** The kind a JDBC URL points at; refuses anything else with a message naming what is supported. */
    public static DatabaseKind of(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:h2:")) {
            return H2;
        }
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        throw new IllegalArgumentException(
                "unsupported database URL '" + jdbcUrl + "': use jdbc:postgresql://... or leave it unset for embedded H2");
    }
}
