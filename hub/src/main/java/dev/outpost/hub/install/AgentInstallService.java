package dev.outpost.hub.install;

import dev.outpost.hub.api.ApiException;
import dev.outpost.hub.api.Problem;
import dev.outpost.hub.api.Validation;
import dev.outpost.hub.auth.Caller;
import dev.outpost.hub.config.HubConfig;
import dev.outpost.hub.enrollment.CaFingerprintSource;
import dev.outpost.hub.enrollment.EnrollmentStore;
import dev.outpost.hub.enrollment.GatewayPortSource;
import dev.outpost.hub.enrollment.JoinGrant;
import dev.outpost.hub.enrollment.JoinTokenRejectedException;
import dev.outpost.hub.environments.Environment;
import dev.outpost.hub.environments.EnvironmentService;
import dev.outpost.hub.packages.RenderSlots;
import dev.outpost.hub.packages.render.RenderFailure;
import io.micronaut.http.HttpStatus;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out how to install an environment's agent with a join token the caller already holds (the hub
 * keeps only its hash, so it cannot hand the token out itself): checked against the environment, never
 * consumed, never logged.
 */
@Singleton
public class AgentInstallService {
    /** The agent's own namespace when the request names none, as in the charts' docs. */
    public static final String DEFAULT_AGENT_NAMESPACE = "outpost";
    /** Most namespaces one install may grant the agent. */
    public static final int MAX_NAMESPACES = 50;
    /** Longest {@code namespaces} query value: the whole request line must stay within the hub's 8 KiB. */
    public static final int MAX_NAMESPACES_CHARS = 256;
    private static final Logger LOG = LoggerFactory.getLogger(AgentInstallService.class);

    private final EnvironmentService environments;
    private final EnrollmentStore enrollment;
    private final CaFingerprintSource caFingerprint;
    private final GatewayPortSource gatewayPort;
    private final HubConfig config;
    private final BundledAgentChart chart;
    private final RenderSlots renders;

    public AgentInstallService(EnvironmentService environments, EnrollmentStore enrollment,
            CaFingerprintSource caFingerprint, GatewayPortSource gatewayPort, HubConfig config, BundledAgentChart chart,
            RenderSlots renders) {
        this.environments = environments;
        this.enrollment = enrollment;
        this.caFingerprint = caFingerprint;
        this.gatewayPort = gatewayPort;
        this.config = config;
        this.chart = chart;
        this.renders = renders;
    }

    /**
     * The install of {@code environmentId}'s agent with {@code joinToken}.
     *
     * @param namespaces     comma-separated namespaces the agent may deploy into; null or empty: a namespace per deployment
     * @param agentNamespace where the agent runs; null: {@value #DEFAULT_AGENT_NAMESPACE}
     */
    public AgentInstall install(Caller caller, String environmentId, String joinToken, String namespaces,
            String agentNamespace) {
        Environment environment = environments.get(caller, environmentId);
        Validation v = new Validation();
        String ns = agentNamespace == null || agentNamespace.isBlank() ? DEFAULT_AGENT_NAMESPACE : agentNamespace.strip();
        if (!isNamespace(ns)) {
            v.error("agentNamespace", "must be a namespace name (lower-case letters, digits and '-', at most 63)");
        }
        List<String> managed = parseNamespaces(namespaces, v);
        v.throwIfInvalid();
        JoinGrant grant = checkToken(joinToken, environment);
        String hub = hubAddress();
        String caHash = caFingerprint.caFingerprint();
        LOG.info("install instructions handed out for tenant {} environment {} (join token {})", environment.tenantId(),
                environment.id(), grant.tokenId());
        String manifest;
        // a Helm render like a package's: it shares their bound (503 "busy, retry" beyond it)
        try (RenderSlots.Slot slot = renders.take("rendering the agent chart")) {
            manifest = chart.render(values(hub, caHash, joinToken, managed), ns);
        } catch (RenderFailure e) {
            // the chart is the hub's own: failing to render it is the hub's fault, not the caller's
            throw new IllegalStateException("the bundled agent chart does not render: " + e.getMessage(), e);
        }
        return new AgentInstall(environment.id(), hub, caHash, ns, managed,
                InstallCommands.installer(hub, joinToken, caHash, ns, managed),
                InstallCommands.helm(hub, joinToken, caHash, ns, managed), manifest);
    }

    private JoinGrant checkToken(String joinToken, Environment environment) {
        if (joinToken == null || joinToken.isBlank()) {
            throw ApiException.invalid(List.of(new Problem.FieldError("token",
                    "is required: the join token POST /environments/{id}/join-tokens returned")));
        }
        JoinGrant grant;
        try {
            grant = enrollment.check(joinToken.strip());
        } catch (JoinTokenRejectedException e) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, e.getMessage() + ": issue a new one with "
                    + "POST /api/v1/environments/" + environment.id() + "/join-tokens");
        }
        if (!grant.environmentId().equals(environment.id())) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, "the join token belongs to another environment");
        }
        return grant;
    }

    /** The gateway as agents dial it: the first of outpost.grpc-hostnames, and the port it listens on. */
    private String hubAddress() {
        String host = config.getGrpcHostnames().isEmpty() ? "localhost" : config.getGrpcHostnames().getFirst();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + gatewayPort.port();
    }

    static Map<String, Object> values(String hub, String caHash, String joinToken, List<String> namespaces) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("hub", Map.of("address", hub, "caHash", caHash));
        values.put("joinToken", Map.of("value", joinToken));
        values.put("namespaceMode", namespaces.isEmpty() ? "per-deployment" : "existing");
        values.put("namespaces", namespaces);
        return values;
    }

    private static List<String> parseNamespaces(String namespaces, Validation v) {
        if (namespaces == null || namespaces.isBlank()) {
            return List.of();
        }
        if (namespaces.length() > MAX_NAMESPACES_CHARS) {
            v.error("namespaces", "at most " + MAX_NAMESPACES_CHARS + " characters, got " + namespaces.length());
            return List.of();
        }
        Set<String> names = new LinkedHashSet<>();
        for (String name : namespaces.split(",")) {
            String n = name.strip();
            if (!isNamespace(n)) {
                v.error("namespaces", "'" + (n.length() > 70 ? n.substring(0, 70) + "…" : n)
                        + "' is not a namespace name (lower-case letters, digits and '-', at most 63)");
                return List.of();
            }
            names.add(n);
        }
        if (names.size() > MAX_NAMESPACES) {
            v.error("namespaces", "at most " + MAX_NAMESPACES + " namespaces, got " + names.size());
        }
        return new ArrayList<>(names);
    }

    private static boolean isNamespace(String name) {
        return name.length() <= Validation.DNS_LABEL_MAX && Validation.DNS_LABEL.matcher(name).matches();
    }
}
