package dev.outpost.agent.config;

/** Where the hub's agent gateway is: a host name or IP (the one in its certificate) and a port. */
public record HubAddress(String host, int port) {

    /** Parses "host:port" or "[ipv6]:port"; IllegalArgumentException says what is wrong. */
    public static HubAddress parse(String text) {
        String value = text == null ? "" : text.trim();
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new IllegalArgumentException("--hub must be host:port, got '" + value + "'");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535 || host.isBlank()) {
            throw new IllegalArgumentException("--hub must be host:port with a port from 1 to 65535, got '" + value + "'");
        }
        return new HubAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
