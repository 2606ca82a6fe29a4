package dev.outpost.hub.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;

/** The properties a test hub starts with: a fresh data directory, a known admin token, random ports. */
public final class HubTestProperties {
    private HubTestProperties() {
    }

    /** {@code database} (empty for H2) plus the rest; the map is mutable so a test can add its own. */
    public static Map<String, String> of(String dataDirPrefix, String adminToken, Map<String, String> database) {
        Map<String, String> props = new HashMap<>(database);
        try {
            props.put("outpost.data-dir", Files.createTempDirectory(dataDirPrefix).toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        props.put("outpost.admin-token", adminToken);
        props.put("micronaut.server.port", "-1");
        props.put("outpost.grpc-port", "0");
        return props;
    }
}
