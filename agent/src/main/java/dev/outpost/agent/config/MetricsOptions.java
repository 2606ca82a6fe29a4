package dev.outpost.agent.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * Where the agent serves /metrics and /healthz (empty: off), whether that address was given rather than
 * defaulted, and how often it samples its deployments' Kubernetes state for the hub.
 */
public record MetricsOptions(Optional<InetSocketAddress> address, boolean addressGiven, Duration sampleInterval) {
    /** Loopback only, so an agent on a laptop exposes nothing; in a pod, give 0.0.0.0:9464 for probes. */
    public static final String DEFAULT_ADDRESS = "127.0.0.1:9464";
    /** Kubernetes state is sampled this often unless told otherwise. */
    public static final Duration DEFAULT_SAMPLE_INTERVAL = Duration.ofSeconds(30);
    /** The defaults: 127.0.0.1:9464 and 30s samples. */
    public static final MetricsOptions DEFAULTS = new MetricsOptions(
            Optional.of(new InetSocketAddress(DEFAULT_ADDRESS.substring(0, DEFAULT_ADDRESS.indexOf(':')), 9464)), false,
            DEFAULT_SAMPLE_INTERVAL);

    /** Parses "off", "host:port" or "[ipv6]:port" (port 0: any free port); IllegalArgumentException says what is wrong. */
    public static Optional<InetSocketAddress> parseAddress(String text) {
        String value = text.trim();
        if (value.equals("off")) {
            return Optional.empty();
        }
        int colon = value.lastIndexOf(':');
        String host = colon > 0 ? value.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = colon > 0 ? Integer.parseInt(value.substring(colon + 1)) : -1;
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (host.isBlank() || port < 0 || port > 65535) {
            throw new IllegalArgumentException("--metrics-address must be host:port (port 0 to 65535) or off, got '"
                    + value + "'");
        }
        return Optional.of(new InetSocketAddress(host, port));
    }

    @Override
    public String toString() {
        return "metrics-address=" + address.map(a -> a.getHostString() + ":" + a.getPort()).orElse("off")
                + " metrics-sample-interval=" + sampleInterval.toSeconds() + "s";
    }
}
