package dev.outpost.hub.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;

/** The properties of an in-process hub under test: a fresh data folder, random ports, a known admin token. */
public final class HubTestProperties {
    private HubTestProperties() {
    }

    /** {@code database} (outpost.db-url and friends, or nothing for H2) plus what every hub IT needs. */
    public static Map<String, String> with(Map<String, String> database, String adminToken) {
        Map<String, String> props = new HashMap<>(database);
        try {
            props.put("outpost.data-dir", Files.createTempDirectory("outpost-hub-it").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        props.put("outpost.admin-token", adminToken);
        props.put("micronaut.server.port", "-1");
        props.put("outpost.grpc-port", "0");
        props.put(RecordedCommandEvents.PROPERTY, "true");
        return props;
    }
}
