package dev.outpost.hub.gateway;

import dev.outpost.hub.agents.ActiveAgent;
import io.grpc.Context;

/** The agent a call (control or telemetry) belongs to, as the certificate interceptor established it. */
public final class AuthenticatedAgent {
    static final Context.Key<ActiveAgent> KEY = Context.key("outpost-agent");

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
}
