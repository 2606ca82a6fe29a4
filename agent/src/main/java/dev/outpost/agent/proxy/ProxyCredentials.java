package dev.outpost.agent.proxy;

import io.fabric8.kubernetes.client.Config;
import java.net.Authenticator;
import java.net.PasswordAuthentication;
import java.util.Arrays;
import java.util.Optional;

/**
 * Basic credentials for the customer's egress proxy, answered to the JVM's proxy authentication
 * (gRPC-Java asks {@link Authenticator} when it opens its CONNECT tunnel to the hub) and to nothing
 * else. {@code toString} never shows the password.
 */
public final class ProxyCredentials {
    private final String username;
    private final char[] password;

    private ProxyCredentials(String username, char[] password) {
        this.username = username;
        this.password = password;
    }

    /**
     * The credentials from {@code OUTPOST_PROXY_USERNAME} and {@code OUTPOST_PROXY_PASSWORD}; empty when
     * neither is set.
     *
     * @throws IllegalArgumentException when only one is set, or the username cannot be sent in Basic
     */
    public static Optional<ProxyCredentials> of(String username, String password) {
        boolean hasUser = username != null && !username.isEmpty();
        boolean hasPassword = password != null && !password.isEmpty();
        if (!hasUser && !hasPassword) {
            return Optional.empty();
        }
        if (!hasUser || !hasPassword) {
            throw new IllegalArgumentException("proxy credentials need both OUTPOST_PROXY_USERNAME and "
                    + "OUTPOST_PROXY_PASSWORD (only " + (hasUser ? "the username" : "the password") + " is set)");
        }
        if (username.contains(":") || username.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("OUTPOST_PROXY_USERNAME must not contain ':' or control characters");
        }
        return Optional.of(new ProxyCredentials(username, password.toCharArray()));
    }

    public String username() {
        return username;
    }

    /** Makes these the answer to every proxy's request for credentials in this JVM (servers get none). */
    public void installAsDefault() {
        Authenticator.setDefault(new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                return getRequestorType() == RequestorType.PROXY
                        ? new PasswordAuthentication(username, Arrays.copyOf(password, password.length)) : null;
            }
        });
    }

    /** The same credentials for the Kubernetes client, should its API server be reached through the proxy. */
    public void applyTo(Config kubernetes) {
        kubernetes.setProxyUsername(username);
        kubernetes.setProxyPassword(new String(password));
    }

    @Override
    public String toString() {
        return "proxy user " + username + " (password given)";
    }
}
