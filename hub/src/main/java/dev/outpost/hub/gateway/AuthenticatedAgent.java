package dev.outpost.hub.gateway;

import dev.outpost.hub.agents.ActiveAgent;
import io.grpc.Context;
import java.security.cert.X509Certificate;

/** The agent a call (control or telemetry) belongs to, as the certificate interceptor established it. */
public final class AuthenticatedAgent {
    static final Context.Key<ActiveAgent> KEY = Context.key("outpost-agent");
    static final Context.Key<X509Certificate> CERTIFICATE = Context.key("outpost-agent-certificate");

    private AuthenticatedAgent() {
    }

    /** The agent of the current call; only set on calls that passed {@link ClientCertificateInterceptor}. */
    public static ActiveAgent current() {
        ActiveAgent agent = KEY.get();
        if (agent == null) {
            throw new IllegalStateException("no authenticated agent on this call");
        }
        return agent;
    }

    /** The client certificate the current call's agent presented (verified by TLS and the interceptor). */
    public static X509Certificate certificate() {
        X509Certificate certificate = CERTIFICATE.get();
        if (certificate == null) {
            throw new IllegalStateException("no authenticated agent on this call");
        }
        return certificate;
    }
}
