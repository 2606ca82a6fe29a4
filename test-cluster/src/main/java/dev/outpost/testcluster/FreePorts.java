package dev.outpost.testcluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** Free TCP ports below the kernel's ephemeral range, each handed out once per JVM (clusters and e2e hubs share it). */
public final class FreePorts {
    /** Lowest port handed out: above the usual fixed ports of local services (kubelet's 10250 and friends). */
    static final int FLOOR = 20_000;
    /** Fewest ports worth drawing from; a smaller gap below (or above) the ephemeral range is not used. */
    static final int MIN_POOL = 1_000;
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    // Not port 0: the kernel answers that from its ephemeral range, which it also gives every outgoing
    // connection and other processes' port-0 binds, so under load a port could be taken before the child
    // bound it. Below that range only explicit binds take ports; a random start per JVM keeps concurrent
    // JVMs apart, the bind check skips ports in use, and the set keeps this JVM from giving a port twice.
    private static final FreePorts POOL = new FreePorts(pool(ephemeralRange()));

    private final int low;
    private final int size;
    private final Set<Integer> handedOut = new HashSet<>();
    private int cursor;

    FreePorts(int[] range) {
        this.low = range[0];
        this.size = range[1] - range[0] + 1;
        this.cursor = ThreadLocalRandom.current().nextInt(size);
    }

    /** A free port, outside the kernel's ephemeral range, not handed out before in this JVM. */
    public static int next() {
        return POOL.take();
    }

    /** The first port from the cursor on that is not handed out yet and can be bound on every address. */
    synchronized int take() {
        for (int tried = 0; tried < size; tried++) {
            int port = low + cursor;
            cursor = (cursor + 1) % size;
            if (!handedOut.contains(port) && bindable(port)) {
                handedOut.add(port);
                return port;
            }
        }
        throw new IllegalStateException("no free port left in " + low + "-" + (low + size - 1));
    }

    /** The ports below ephemeral {@code [low, high]} from {@link #FLOOR}, else above it, else all unprivileged ones. */
    static int[] pool(int[] ephemeral) {
        if (ephemeral[0] - FLOOR >= MIN_POOL) {
            return new int[] {FLOOR, ephemeral[0] - 1};
        }
        if (65_535 - ephemeral[1] >= MIN_POOL) {
            return new int[] {ephemeral[1] + 1, 65_535};
        }
        return new int[] {1_024, 65_535};
    }

    /** The kernel's ephemeral range, or Linux's default where it cannot be read (not Linux). */
    static int[] ephemeralRange() {
        try {
            // readAllLines, not readString: on procfs (size 0) the JDK's readString returned just "3".
            String[] bounds = Files.readAllLines(EPHEMERAL_RANGE).getFirst().trim().split("\\s+");
            return new int[] {Integer.parseInt(bounds[0]), Integer.parseInt(bounds[1])};
        } catch (IOException | RuntimeException e) {
            return new int[] {32_768, 60_999};
        }
    }

    // Without SO_REUSEADDR and on the wildcard address, so any socket using the port (bound to any
    // address, or lingering in TIME_WAIT) makes it fail, as it could for the child.
    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
