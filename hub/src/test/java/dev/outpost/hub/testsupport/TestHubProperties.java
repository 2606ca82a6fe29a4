package dev.outpost.hub.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;

/** The properties that start an in-process test hub: a fresh data directory, a known admin token, free ports. */
public final class TestHubProperties {
    private TestHubProperties() {
    }

    /** Those properties on top of {@code databaseProperties} (empty for H2, see {@link PostgresTestDatabase#hubProperties}). */
    public static Map<String, String> of(String adminToken, Map<String, String> databaseProperties) {
        Map<String, String> props = new HashMap<>(databaseProperties);
        try {
            props.put("outpost.data-dir", Files.createTempDirectory("outpost-hub-it").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        props.put("outpost.admin-token", adminToken);
        props.put("micronaut.server.port", "-1");
        props.put("outpost.grpc-port", "0");
        return props;
    }
}
