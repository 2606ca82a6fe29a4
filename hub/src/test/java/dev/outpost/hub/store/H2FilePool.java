package dev.outpost.hub.store;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;

/** A connection pool on an H2 file with the hub's durability setting (no write delay): for ITs of one store class. */
public final class H2FilePool {
    private H2FilePool() {
    }

    /** A pool on the H2 database at {@code file} (created if missing). */
    public static HikariDataSource at(Path file) {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl("jdbc:h2:file:" + file + ";WRITE_DELAY=0");
        pool.setUsername("sa");
        pool.setPassword("");
        return pool;
    }
}
