package dev.outpost.hub.secrets;

import java.nio.file.Path;
import java.time.Duration;

/** Secrets settings fixed in a test (in-memory config, no Micronaut). */
record FixedSecretsConfig(String keys, String openbaoAddress, String openbaoToken, Path openbaoTokenFile,
        String openbaoKvMount) implements SecretsConfig {

    /** Without OpenBao's KV. */
    FixedSecretsConfig(String keys, String openbaoAddress, String openbaoToken, Path openbaoTokenFile) {
        this(keys, openbaoAddress, openbaoToken, openbaoTokenFile, null);
    }

    /** Configured keys only (null: none), no OpenBao. */
    static FixedSecretsConfig keys(String keys) {
        return new FixedSecretsConfig(keys, null, null, null);
    }

    @Override
    public String getKeys() {
        return keys;
    }

    @Override
    public String getOpenbaoAddress() {
        return openbaoAddress;
    }

    @Override
    public String getOpenbaoToken() {
        return openbaoToken;
    }

    @Override
    public Path getOpenbaoTokenFile() {
        return openbaoTokenFile;
    }

    @Override
    public String getOpenbaoTransitMount() {
        return "transit";
    }

    @Override
    public String getOpenbaoTransitKey() {
        return "outpost-hub";
    }

    @Override
    public String getOpenbaoKvMount() {
        return openbaoKvMount;
    }

    @Override
    public Duration getOpenbaoTimeout() {
        return Duration.ofSeconds(5);
    }
}
