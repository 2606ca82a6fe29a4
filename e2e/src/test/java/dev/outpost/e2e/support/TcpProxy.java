package dev.outpost.e2e.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP forwarder on loopback that a test puts between an agent and the hub, and can partition.
 * {@link #cut()} behaves like a network partition, not like a closed port: nothing is forwarded
 * either way, bytes already sent wait in TCP buffers, new connections are accepted but get no
 * answer, and nobody is told (no FIN, no RST) — peers find out only through their own timeouts and
 * keepalives. {@link #restore()} lets everything through again: connections that survived the cut
 * carry on where they stopped.
 */
public final class TcpProxy implements AutoCloseable {
    private static final int BUFFER_BYTES = 16 * 1024;

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Object gate = new Object();
    private final AtomicLong accepted = new AtomicLong();
    private volatile boolean partitioned;
    private volatile boolean closed;

    /** Starts forwarding a free loopback port to {@code target} ("host:port"). */
    public TcpProxy(String target) {
        int colon = target.lastIndexOf(':');
        this.targetHost = target.substring(0, colon);
        this.targetPort = Integer.parseInt(target.substring(colon + 1));
        try {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException("the proxy cannot listen on loopback", e);
        }
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** host:port to dial instead of the target. */
    public String address() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    /** Connections accepted so far (a reconnecting client shows up here). */
    public long acceptedConnections() {
        return accepted.get();
    }

    /** Stops all traffic, silently, until {@link #restore()}. */
    public void cut() {
        partitioned = true;
    }

    /** Closes every connection open now (both sides see a reset), as a failing middlebox would; new ones go through. */
    public void dropConnections() {
        List.copyOf(sockets).forEach(this::closeQuietly);
    }

    /** Lets traffic through again. */
    public void restore() {
        synchronized (gate) {
            partitioned = false;
            gate.notifyAll();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            sockets.add(client);
            Thread connector = new Thread(() -> connect(client), "tcp-proxy-connect");
            connector.setDaemon(true);
            connector.start();
        }
    }

    private void connect(Socket client) {
        // During a partition the client's SYN is answered (the port is open) but nothing more.
        if (!awaitOpen()) {
            closeQuietly(client);
            return;
        }
        Socket upstream = new Socket();
        try {
            upstream.connect(new InetSocketAddress(targetHost, targetPort), 5000);
        } catch (IOException e) {
            // The target is down (a hub being restarted): like a refused connection, the client sees a close.
            closeQuietly(upstream);
            closeQuietly(client);
            return;
        }
        sockets.add(upstream);
        pump(client, upstream, "up");
        pump(upstream, client, "down");
    }

    private void pump(Socket from, Socket to, String direction) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[BUFFER_BYTES];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    // Held here while partitioned: this side stops reading, so TCP backpressure holds the rest.
                    if (!awaitOpen()) {
                        break;
                    }
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException e) {
                // One side went away: close both, as a forwarder does.
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-proxy-" + direction);
        thread.setDaemon(true);
        thread.start();
    }

    /** Waits while partitioned; false once the proxy is closed. */
    private boolean awaitOpen() {
        synchronized (gate) {
            while (partitioned && !closed) {
                try {
                    gate.wait(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return !closed;
    }

    private void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
        sockets.remove(socket);
    }

    @Override
    public void close() {
        closed = true;
        restore();
        try {
            listener.close();
        } catch (IOException e) {
            // already closed
        }
        sockets.forEach(this::closeQuietly);
    }
}
