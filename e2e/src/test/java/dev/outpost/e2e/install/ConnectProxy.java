package dev.outpost.e2e.install;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP CONNECT proxy on loopback, as a corporate egress proxy behaves: it reads the CONNECT
 * request, then either answers 200 and relays bytes both ways to the target, or refuses with 403
 * (or 407 when it wants Basic credentials the request lacks). It records every target asked for.
 */
final class ConnectProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final boolean allow;
    private final Map<String, String> hosts;
    private final String credentials;
    private final List<String> requested = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger unauthorized = new AtomicInteger();

    ConnectProxy(boolean allow) throws IOException {
        this(allow, Map.of());
    }

    /**
     * A proxy that resolves the names in {@code hosts} to the given addresses, as a corporate proxy
     * resolves the names its clients cannot (a test's made-up hub name, to loopback).
     */
    ConnectProxy(boolean allow, Map<String, String> hosts) throws IOException {
        this(allow, hosts, null);
    }

    /** As above, answering 407 to a CONNECT without {@code Proxy-Authorization: Basic} of {@code user:password}. */
    ConnectProxy(boolean allow, Map<String, String> hosts, String userColonPassword) throws IOException {
        this.allow = allow;
        this.hosts = Map.copyOf(hosts);
        this.credentials = userColonPassword == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("connect-proxy").start(this::acceptLoop);
    }

    int port() {
        return listener.getLocalPort();
    }

    /** The HOST:PORT of each CONNECT request so far. */
    List<String> requested() {
        return List.copyOf(requested);
    }

    /** How many CONNECT requests lacked the credentials this proxy wants. */
    int unauthorized() {
        return unauthorized.get();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                sockets.add(client);
                Thread.ofVirtual().start(() -> serve(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            String head = readHead(in);
            String[] requestLine = head.lines().findFirst().orElse("").split(" ");
            if (requestLine.length < 2 || !requestLine[0].equals("CONNECT")) {
                out.write("HTTP/1.1 405 Method Not Allowed\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                return;
            }
            if (credentials != null && head.lines().noneMatch(h -> h.regionMatches(true, 0, "Proxy-Authorization:", 0, 20)
                    && h.substring(20).trim().equals(credentials))) {
                unauthorized.incrementAndGet();
                out.write(("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n"
                        + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                return;
            }
            requested.add(requestLine[1]);
            if (!allow) {
                out.write("HTTP/1.1 403 Forbidden\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                return;
            }
            int colon = requestLine[1].lastIndexOf(':');
            String host = requestLine[1].substring(0, colon);
            try (Socket target = new Socket(hosts.getOrDefault(host, host), Integer.parseInt(requestLine[1].substring(colon + 1)))) {
                sockets.add(target);
                out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread upstream = Thread.ofVirtual().start(() -> relay(in, target));
                relay(target.getInputStream(), client);
                upstream.join();
            }
        } catch (IOException e) {
            // the client or the target went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void relay(InputStream from, Socket to) {
        try {
            from.transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException e) {
            // closed
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            String text = head.toString(StandardCharsets.US_ASCII);
            if (text.endsWith("\r\n\r\n") || head.size() > 8192) {
                break;
            }
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
