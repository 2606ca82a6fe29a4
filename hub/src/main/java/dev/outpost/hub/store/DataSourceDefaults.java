package dev.outpost.hub.store;

import dev.outpost.hub.config.HubConfig;
import io.micronaut.configuration.jdbc.hikari.DatasourceConfiguration;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Points the default datasource at PostgreSQL when {@code outpost.db-url} is set, else at an embedded
 * H2 file database in the data directory. Doing it here, rather than with nested placeholders in
 * application.yml, keeps the decision in one readable place and lets HubConfig stay the only source.
 */
@Singleton
public class DataSourceDefaults implements BeanCreatedEventListener<DatasourceConfiguration> {
    private final HubConfig config;

    public DataSourceDefaults(HubConfig config) {
        this.config = config;
    }

    @Override
    public DatasourceConfiguration onCreated(BeanCreatedEvent<DatasourceConfiguration> event) {
        DatasourceConfiguration ds = event.getBean();
        createDataDir(config.getDataDir());
        String url = config.getDbUrl().orElseGet(() -> h2Url(config.getDataDir()));
        DatabaseKind kind = DatabaseKind.of(url);
        ds.setJdbcUrl(url);
        ds.setDriverClassName(kind.driverClassName());
        if (kind == DatabaseKind.H2) {
            ds.setUsername("sa");
            ds.setPassword("");
        } else {
            ds.setUsername(config.getDbUser().orElse(null));
            ds.setPassword(config.getDbPassword().orElse(null));
        }
        return ds;
    }

    /** The embedded database file: {@code <data-dir>/outpost.mv.db}. */
    static String h2Url(Path dataDir) {
        // DB_CLOSE_ON_EXIT=FALSE: Micronaut closes the pool on shutdown; H2's own hook would race it.
        // WRITE_DELAY=0: H2 writes each commit to the file before the commit returns. With its default
        // (500 ms) a commit is only in memory for up to half a second, and a killed hub loses writes it
        // has already confirmed. docs/durability.md says what this does and does not cover.
        // QUERY_CACHE_SIZE=128: each connection keeps that many parsed statements instead of H2's 8, fewer
        // than the hub's distinct statements, so that each was parsed again on most uses.
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("outpost")
                + ";DB_CLOSE_ON_EXIT=FALSE;AUTO_SERVER=FALSE;WRITE_DELAY=0;QUERY_CACHE_SIZE=128";
    }

    // The data directory also holds the gateway's CA, so it is created whichever database is used.
    private static void createDataDir(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + dataDir.toAbsolutePath(), e);
        }
    }
}
