package dev.outpost.hub.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.outpost.hub.store.Database;
import dev.outpost.protocol.openbao.OpenBaoServer;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The OpenBao-wrapped data key on a real OpenBao (dev mode) and the hub's schema on H2: a Transit key rotation. */
class WrappedDataKeyIT {
    @RegisterExtension
    static final OpenBaoServer OPENBAO = new OpenBaoServer();

    private HikariDataSource dataSource;
    private Database db;
    private String key;
    private OpenBaoTransit transit;

    @BeforeEach
    void schema() {
        dataSource = new HikariDataSource();
        dataSource.setJdbcUrl("jdbc:h2:mem:wrapped-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        db = new Database(dataSource);
        key = "hub-" + UUID.randomUUID().toString().substring(0, 8);
        transit = new OpenBaoTransit(OPENBAO.address(), OPENBAO.token(), "transit", key, 5);
    }

    @AfterEach
    void close() {
        dataSource.close();
    }

    @Test
    void afterATransitKeyRotationTheSameDataKeyIsStoredUnderTheLatestVersionSoOldVersionsCanBeRetired() {
        byte[] created = load();
        String first = wrapped();
        assertThat(first).startsWith("vault:v1:");
        assertThat(load()).as("a later start").isEqualTo(created);
        assertThat(wrapped()).as("not rewritten without a rotation").isEqualTo(first);

        assertThat(OPENBAO.post("transit/keys/" + key + "/rotate", "{}").statusCode()).isEqualTo(200);
        assertThat(load()).as("the data key, and so every sealed value, is unchanged").isEqualTo(created);
        assertThat(wrapped()).startsWith("vault:v2:");

        // the vendor retires version 1: the hub still starts, since nothing it stores needs it
        assertThat(OPENBAO.post("transit/keys/" + key + "/config", "{\"min_decryption_version\":2}").statusCode() / 100)
                .isEqualTo(2);
        assertThat(load()).isEqualTo(created);
    }

    private byte[] load() {
        return WrappedDataKey.load(transit, db, Clock.systemUTC(), Duration.ofMillis(100));
    }

    private String wrapped() {
        return db.read(sql -> sql.queryOne("select wrapped from sealing_keys where name = ?", rs -> rs.getString(1),
                transit.keyName())).orElseThrow();
    }
}
