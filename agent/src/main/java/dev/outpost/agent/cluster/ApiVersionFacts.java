package dev.outpost.agent.cluster;

import dev.outpost.protocol.GrpcLimits;
import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIGroupList;
import io.fabric8.kubernetes.api.model.APIVersions;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API group/versions the cluster serves ("v1", "apps/v1", "monitoring.coreos.com/v1"), for
 * ClusterFacts.api_versions: the hub renders charts' {@code .Capabilities.APIVersions} from them.
 * Discovery is open to every authenticated identity, so this needs no RBAC.
 */
public final class ApiVersionFacts {
    private static final Logger LOG = LoggerFactory.getLogger(ApiVersionFacts.class);
    // "v1" or "<DNS subdomain>/<version>": what the hub accepts, nothing that could carry other text.
    private static final Pattern GROUP_VERSION = Pattern.compile("([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[a-z0-9]+");

    private ApiVersionFacts() {
    }

    /** The served group/versions from the discovery documents /api and /apis, bounded. */
    public static List<String> discover(KubernetesClient client) {
        List<String> found = new ArrayList<>();
        APIVersions core = client.getAPIVersions();
        if (core != null && core.getVersions() != null) {
            found.addAll(core.getVersions()); // the core group: "v1"
        }
        APIGroupList groups = client.getApiGroups();
        if (groups != null && groups.getGroups() != null) {
            for (APIGroup group : groups.getGroups()) {
                if (group.getVersions() != null) {
                    group.getVersions().stream().map(GroupVersionForDiscovery::getGroupVersion).forEach(found::add);
                }
            }
        }
        return bounded(found);
    }

    /**
     * Sorted, without duplicates or malformed entries, each at most {@link GrpcLimits#MAX_API_VERSION_CHARS}
     * and at most {@link GrpcLimits#MAX_API_VERSIONS} of them (the first in order; the rest are said in the log).
     */
    static List<String> bounded(Collection<String> groupVersions) {
        TreeSet<String> valid = new TreeSet<>();
        for (String groupVersion : groupVersions) {
            if (groupVersion != null && groupVersion.length() <= GrpcLimits.MAX_API_VERSION_CHARS
                    && GROUP_VERSION.matcher(groupVersion).matches()) {
                valid.add(groupVersion);
            }
        }
        if (valid.size() <= GrpcLimits.MAX_API_VERSIONS) {
            return List.copyOf(valid);
        }
        List<String> kept = valid.stream().limit(GrpcLimits.MAX_API_VERSIONS).toList();
        LOG.warn("The cluster serves {} API group/versions; the hub is told the first {} (from {} to {})", valid.size(),
                kept.size(), kept.getFirst(), kept.getLast());
        return kept;
    }
}
