package dev.outpost.testcluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Free TCP ports on 127.0.0.1, each handed out at most once per JVM. Public so that tests starting
 * their own servers beside a cluster (the e2e hub) draw from the same pool and never get a port a
 * cluster component was given but has not bound yet.
 */
public final class FreePorts {

    // The OS may offer a just-closed port again; remembering what we gave out keeps two components of
    // this JVM's clusters from being told the same port before either has bound it.
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private FreePorts() {
    }

    /** A free loopback port not handed out before in this JVM. */
    public static synchronized int next() {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = socket.getLocalPort();
                if (HANDED_OUT.add(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot find a free loopback port", e);
            }
        }
        throw new IllegalStateException("no unused free loopback port after 50 attempts");
    }
}
