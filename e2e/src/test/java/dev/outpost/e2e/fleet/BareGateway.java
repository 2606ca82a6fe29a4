package dev.outpost.e2e.fleet;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.outpost.protocol.CaFingerprint;
import dev.outpost.protocol.EcKeys;
import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.Pem;
import dev.outpost.protocol.ProtocolRevision;
import dev.outpost.protocol.v1.AgentControlGrpc;
import dev.outpost.protocol.v1.AgentMessage;
import dev.outpost.protocol.v1.ApplyDeployment;
import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.EnrollRequest;
import dev.outpost.protocol.v1.EnrollResponse;
import dev.outpost.protocol.v1.EnrollmentGrpc;
import dev.outpost.protocol.v1.HubMessage;
import dev.outpost.protocol.v1.Release;
import dev.outpost.protocol.v1.Welcome;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * The ceiling the hub is measured against (issue #11): a bare grpc-java server, started as its own
 * process, that speaks the agent's side of {@code outpost.v1} with the hub's TLS and keepalive
 * settings and does nothing else: no database, no sessions, no REST. {@code Enroll} signs any CSR with
 * an in-memory CA (kept in the data directory so a restart after {@code kill -9} still trusts the
 * fleet), {@code Connect} answers Hello with Welcome and ignores heartbeats; {@code POST /fanout} on its
 * loopback control port sends one command to every open stream, {@code GET /stats} counts streams and
 * results; the CA's fingerprint, which the simulated agents pin, is in {@code <data dir>/ca.fingerprint}. Arguments: {@code <data dir> <gRPC port> <control port> <heartbeat seconds>}.
 */
public final class BareGateway {
    /** The hub's gateway settings (AgentGateway), so the two differ only in what runs behind them. */
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SERVER_KEEPALIVE_TIME = Duration.ofMinutes(1);
    private static final Duration SERVER_KEEPALIVE_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration MAX_CONNECTION_IDLE = Duration.ofSeconds(30);
    private static final int MAX_CALLS_PER_CONNECTION = 8;
    private static final int WORKERS = 16;
    private static final Context.Key<String> AGENT = Context.key("bare-agent");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyPair caKeys;
    private final X509Certificate ca;
    private final int heartbeatSeconds;
    private final Map<String, ServerCallStreamObserver<HubMessage>> streams = new ConcurrentHashMap<>();
    private final LongAdder results = new LongAdder();
    private final LongAdder commandsSent = new LongAdder();

    private BareGateway(KeyPair caKeys, X509Certificate ca, int heartbeatSeconds) {
        this.caKeys = caKeys;
        this.ca = ca;
        this.heartbeatSeconds = heartbeatSeconds;
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        int grpcPort = Integer.parseInt(args[1]);
        int controlPort = Integer.parseInt(args[2]);
        BareGateway gateway = loadOrCreateCa(data, Integer.parseInt(args[3]));
        Server server = gateway.grpcServer(grpcPort);
        server.start();
        gateway.controlServer(controlPort).start();
        System.out.println("bare gateway listening on 127.0.0.1:" + grpcPort + ", control on 127.0.0.1:" + controlPort);
        server.awaitTermination();
    }

    private Server grpcServer(int port) throws Exception {
        KeyPair serverKeys = EcKeys.generateP256();
        X509Certificate serverCertificate = sign("127.0.0.1", serverKeys.getPublic(), false,
                new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                    new GeneralName(GeneralName.dNSName, "localhost")}));
        var tls = GrpcSslContexts.configure(SslContextBuilder.forServer(serverKeys.getPrivate(), serverCertificate, ca))
                .trustManager(ca).clientAuth(ClientAuth.OPTIONAL).protocols("TLSv1.3").build();
        return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .sslContext(tls)
                .executor(Executors.newFixedThreadPool(WORKERS))
                .handshakeTimeout(HANDSHAKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .maxInboundMessageSize(GrpcLimits.MAX_MESSAGE_BYTES)
                .maxConcurrentCallsPerConnection(MAX_CALLS_PER_CONNECTION)
                .permitKeepAliveTime(GrpcLimits.SERVER_PERMIT_KEEPALIVE_TIME.toMillis(), TimeUnit.MILLISECONDS)
                .permitKeepAliveWithoutCalls(true)
                .keepAliveTime(SERVER_KEEPALIVE_TIME.toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(SERVER_KEEPALIVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .maxConnectionIdle(MAX_CONNECTION_IDLE.toMillis(), TimeUnit.MILLISECONDS)
                .addService(new Enrollment())
                .addService(ServerInterceptors.intercept(new Control(), new ClientCertificate()))
                .build();
    }

    /** Signs any CSR: the ceiling measures transport, not the hub's checks. */
    private final class Enrollment extends EnrollmentGrpc.EnrollmentImplBase {
        @Override
        public void enroll(EnrollRequest request, StreamObserver<EnrollResponse> response) {
            try {
                PublicKey key = new JcaPKCS10CertificationRequest(request.getCsrDer().toByteArray()).getPublicKey();
                String agentId = UUID.randomUUID().toString();
                X509Certificate certificate = sign(agentId, key, true, null);
                response.onNext(EnrollResponse.newBuilder().setAgentId(agentId).setTenantId("bare")
                        .setEnvironmentId(agentId).setCertificatePem(Pem.certificate(certificate))
                        .setCaBundlePem(Pem.certificate(ca))
                        .setCertificateNotAfterUnixMs(certificate.getNotAfter().getTime()).build());
                response.onCompleted();
            } catch (Exception e) {
                response.onError(Status.INVALID_ARGUMENT.withDescription("bad CSR: " + e.getMessage()).asException());
            }
        }
    }

    /** The agent's id is its certificate's common name, as the CA wrote it. */
    private static final class ClientCertificate implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                ServerCallHandler<Q, R> next) {
            SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
            try {
                X509Certificate peer = (X509Certificate) session.getPeerCertificates()[0];
                String agentId = X500Name.getInstance(peer.getSubjectX500Principal().getEncoded()).getRDNs()[0]
                        .getFirst().getValue().toString();
                return Contexts.interceptCall(Context.current().withValue(AGENT, agentId), call, headers, next);
            } catch (SSLPeerUnverifiedException | NullPointerException e) {
                call.close(Status.UNAUTHENTICATED.withDescription("no client certificate"), new Metadata());
                return new ServerCall.Listener<>() {
                };
            }
        }
    }

    private final class Control extends AgentControlGrpc.AgentControlImplBase {
        @Override
        public StreamObserver<AgentMessage> connect(StreamObserver<HubMessage> responses) {
            String agentId = AGENT.get();
            ServerCallStreamObserver<HubMessage> stream = (ServerCallStreamObserver<HubMessage>) responses;
            return new StreamObserver<>() {
                @Override
                public void onNext(AgentMessage message) {
                    switch (message.getBodyCase()) {
                        case HELLO -> {
                            synchronized (stream) {
                                stream.onNext(HubMessage.newBuilder().setWelcome(Welcome.newBuilder().setAgentId(agentId)
                                        .setProtocolRevision(ProtocolRevision.CURRENT)
                                        .setHeartbeatIntervalSeconds(heartbeatSeconds).setHubVersion("bare")).build());
                            }
                            streams.put(agentId, stream);
                        }
                        case RESULT -> results.increment();
                        default -> {
                            // heartbeats and progress: nothing to do
                        }
                    }
                }

                @Override
                public void onError(Throwable error) {
                    streams.remove(agentId, stream);
                }

                @Override
                public void onCompleted() {
                    streams.remove(agentId, stream);
                    synchronized (stream) {
                        stream.onCompleted();
                    }
                }
            };
        }
    }

    /** Sends one apply command, deployment id = agent id, to every open stream; answers how many. */
    private int fanOut(long generation, String manifests, Map<String, String> parameters) {
        int sent = 0;
        for (Map.Entry<String, ServerCallStreamObserver<HubMessage>> entry : streams.entrySet()) {
            Command command = Command.newBuilder().setCommandId(UUID.randomUUID().toString())
                    .setDeploymentId(entry.getKey()).setGeneration(generation)
                    .setApply(ApplyDeployment.newBuilder().setNamespace(FleetVendor.NAMESPACE).putAllParameters(parameters)
                            .setRelease(Release.newBuilder().setReleaseId("bare-release").setServiceName("fleet-tiny")
                                    .setVersion(Long.toString(generation)).setManifests(manifests)))
                    .build();
            ServerCallStreamObserver<HubMessage> stream = entry.getValue();
            try {
                synchronized (stream) {
                    if (!stream.isCancelled()) {
                        stream.onNext(HubMessage.newBuilder().setCommand(command).build());
                        sent++;
                    }
                }
            } catch (RuntimeException e) {
                streams.remove(entry.getKey(), stream);
            }
        }
        commandsSent.add(sent);
        return sent;
    }

    private HttpServer controlServer(int port) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        http.createContext("/fanout", exchange -> {
            long generation = Long.parseLong(exchange.getRequestURI().getQuery().replace("generation=", ""));
            String manifests = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int sent = fanOut(generation, manifests, Map.of("name", "tiny", "greeting", "hello"));
            reply(exchange, Integer.toString(sent));
        });
        http.createContext("/stats", exchange -> reply(exchange,
                "streams=" + streams.size() + " results=" + results.sum() + " commands=" + commandsSent.sum()));
        return http;
    }

    private static void reply(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private X509Certificate sign(String commonName, PublicKey key, boolean client, GeneralNames altNames) throws Exception {
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca, new BigInteger(128, RANDOM),
                Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(client ? 30 : 365))),
                new X500Name("CN=" + commonName), key)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        if (altNames != null) {
            builder.addExtension(Extension.subjectAlternativeName, false, altNames);
        }
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
    }

    /** The CA survives a kill -9 in {@code data}, so the fleet's certificates stay valid across restarts. */
    private static BareGateway loadOrCreateCa(Path data, int heartbeatSeconds) throws Exception {
        Path keyFile = data.resolve("ca.key");
        Path certificateFile = data.resolve("ca.der");
        if (Files.exists(certificateFile)) {
            KeyFactory ec = KeyFactory.getInstance("EC");
            PrivateKey key = ec.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(keyFile)));
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(Files.newInputStream(certificateFile));
            return new BareGateway(new KeyPair(certificate.getPublicKey(), key), certificate, heartbeatSeconds);
        }
        KeyPair keys = EcKeys.generateP256();
        Instant now = Instant.now();
        X500Name subject = new X500Name("CN=outpost bare gateway CA");
        X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                subject, BigInteger.ONE, Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(365))),
                subject, keys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        Files.createDirectories(data);
        Files.write(keyFile, keys.getPrivate().getEncoded());
        Files.write(certificateFile, certificate.getEncoded());
        Files.writeString(data.resolve("ca.fingerprint"), CaFingerprint.of(certificate));
        return new BareGateway(keys, certificate, heartbeatSeconds);
    }
}
