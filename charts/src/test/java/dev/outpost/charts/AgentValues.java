package dev.outpost.charts;

import java.util.Map;

/**
 * The agent chart's values sets the tests render, each as a user would write it. Managed namespaces
 * are parameters, so the IT can give real ones.
 */
public final class AgentValues {
    public static final String HUB = "hub.vendor.example:8443";
    public static final String CA_HASH = "sha256:" + "ab12".repeat(16);
    public static final String PROXY = "http://proxy.corp.example:3128";

    private AgentValues() {
    }

    /** The least a user gives: the hub, its CA pin, a join token and the namespaces to manage. */
    public static String defaults(String... managed) {
        return """
                hub: {address: %s, caHash: "%s"}
                joinToken: {value: "abcdef.0123456789abcdef"}
                namespaces: [%s]
                """.formatted(HUB, CA_HASH, String.join(", ", managed));
    }

    /** Behind a corporate proxy that wants credentials, with the corporation's CA bundle from a ConfigMap. */
    public static String proxyAndCustomCa(String... managed) {
        return defaults(managed) + """
                proxy:
                  httpsProxy: %s
                  noProxy: [localhost, 127.0.0.1, kubernetes.default.svc, .svc, .cluster.local, 10.96.0.0/12]
                  credentialsSecret: proxy-login
                caBundle: {configMap: corp-ca, key: bundle.pem}
                """.formatted(PROXY);
    }

    /** Images from a private registry, pulled with a Secret; the token from an existing Secret. */
    public static String privateRegistry(String... managed) {
        return """
                hub: {address: %s, caHash: "%s"}
                joinToken: {existingSecret: agent-join, existingSecretKey: join-token}
                namespaces: [%s]
                image: {registry: myregistry.example, repository: outpost/outpost-agent, tag: 1.2.3}
                imagePullSecrets: [regcred, regcred-backup]
                """.formatted(HUB, CA_HASH, String.join(", ", managed));
    }

    /** Asked for explicitly: the Role's rules cluster-wide, and reading nodes and storage classes. */
    public static String clusterScope(String... managed) {
        return defaults(managed) + """
                rbac: {scope: cluster, clusterFacts: true}
                """;
    }

    /** A namespace per deployment, without existing namespaces. */
    public static String perDeployment() {
        return """
                hub: {address: %s, caHash: "%s"}
                joinToken: {value: "abcdef.0123456789abcdef"}
                namespaceMode: per-deployment
                """.formatted(HUB, CA_HASH);
    }

    /** Every set, by a name for test output. */
    public static Map<String, String> all(String... managed) {
        return Map.of(
                "defaults", defaults(managed),
                "proxy-ca", proxyAndCustomCa(managed),
                "private-registry", privateRegistry(managed),
                "cluster-scope", clusterScope(managed),
                "per-deployment", perDeployment(),
                "customer-policy", customerPolicy(managed));
    }

    /** The customer allows only the vendor's registries and no Secrets or Roles. */
    public static String customerPolicy(String... managed) {
        return defaults(managed) + """
                policy:
                  allowedImages: [registry.vendor.example, ghcr.io/vendor/]
                  deniedKinds: [Secret, Role]
                """;
    }
}
