package dev.outpost.e2e.support;

import com.google.protobuf.ByteString;
import dev.outpost.protocol.EcKeys;
import dev.outpost.protocol.v1.ClusterFacts;
import dev.outpost.protocol.v1.EnrollRequest;
import dev.outpost.protocol.v1.EnrollResponse;
import dev.outpost.protocol.v1.EnrollmentGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * One Enroll call over the hub's gateway (TLS, trusting the CA file in the hub's data directory) with
 * a fresh P-256 key, as an agent makes it, without the agent: to see that a join token still admits.
 */
public final class GatewayEnrollment {
    private GatewayEnrollment() {
    }

    /** The hub's answer: the new agent's id, or the status it refused with. */
    public record Outcome(String agentId, Status.Code refusal, String detail) {
        public boolean enrolled() {
            return agentId != null;
        }
    }

    /** Enrolls with {@code joinToken} at {@code host:port}; {@code caCertificate} is the hub's {@code pki/ca.crt}. */
    public static Outcome enroll(String gatewayAddress, Path caCertificate, String joinToken) {
        int colon = gatewayAddress.lastIndexOf(':');
        ManagedChannel channel;
        try {
            channel = NettyChannelBuilder.forAddress(gatewayAddress.substring(0, colon),
                            Integer.parseInt(gatewayAddress.substring(colon + 1)))
                    .sslContext(GrpcSslContexts.forClient().trustManager(caCertificate.toFile()).build())
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot trust " + caCertificate, e);
        }
        try {
            EnrollResponse response = EnrollmentGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                    .enroll(EnrollRequest.newBuilder().setJoinToken(joinToken).setCsrDer(ByteString.copyFrom(csr()))
                            .setAgentVersion("e2e").setCluster(ClusterFacts.newBuilder().setKubernetesVersion("v1.0.0"))
                            .build());
            return new Outcome(response.getAgentId(), null, null);
        } catch (StatusRuntimeException e) {
            return new Outcome(null, e.getStatus().getCode(), e.getStatus().getDescription());
        } finally {
            channel.shutdownNow();
        }
    }

    private static byte[] csr() {
        try {
            KeyPair keys = EcKeys.generateP256();
            return new JcaPKCS10CertificationRequestBuilder(new X500Principal("CN=e2e"), keys.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))
                    .getEncoded();
        } catch (OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot make a CSR", e);
        }
    }
}
