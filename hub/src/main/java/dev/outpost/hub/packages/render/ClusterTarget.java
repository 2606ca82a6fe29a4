package dev.outpost.hub.packages.render;

import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.v1.ClusterFacts;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cluster a chart is rendered for: its Kubernetes version ({@code .Capabilities.KubeVersion}) and the
 * API versions it serves (given to charts as {@code .Values.global.outpost.apiVersions}).
 *
 * @param kubeVersion e.g. {@code v1.31.0}
 * @param apiVersions sorted, without duplicates
 */
public record ClusterTarget(String kubeVersion, List<String> apiVersions) {
    /** The Kubernetes version rendered for when the cluster's is unknown (at inspection, or from old agents). */
    public static final String DEFAULT_KUBE_VERSION = "v1.31.0";
    private static final Pattern VERSION = Pattern.compile("v?(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    /** The target for a cluster's facts, falling back to the default version when it is unknown or unreadable. */
    public static ClusterTarget of(ClusterFacts facts) {
        String version = DEFAULT_KUBE_VERSION;
        Matcher m = VERSION.matcher(facts == null ? "" : facts.getKubernetesVersion());
        if (m.lookingAt()) {
            version = "v" + m.group(1) + "." + m.group(2) + "." + (m.group(3) == null ? "0" : m.group(3));
        }
        TreeSet<String> apis = new TreeSet<>();
        if (facts != null) {
            facts.getApiVersionsList().stream()
                    .filter(a -> !a.isBlank() && a.length() <= GrpcLimits.MAX_API_VERSION_CHARS)
                    .limit(GrpcLimits.MAX_API_VERSIONS)
                    .forEach(apis::add);
        }
        return new ClusterTarget(version, List.copyOf(apis));
    }

    /** The target used at inspection: the default version, no discovered APIs. */
    public static ClusterTarget unknown() {
        return new ClusterTarget(DEFAULT_KUBE_VERSION, List.of());
    }
}
