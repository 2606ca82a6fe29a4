package dev.outpost.hub.deployments.packaged;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.outpost.hub.store.JsonColumns;
import dev.outpost.hub.store.Sql;
import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.ProtocolRevision;
import dev.outpost.protocol.v1.Hello;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** SQL for the agent facts package planning needs (columns of {@code agents}, from Hello). */
@Singleton
public class AgentFactsStore {
    private static final TypeReference<List<String>> LIST = new TypeReference<>() {
    };
    /** "v1", "apps/v1", "monitoring.coreos.com/v1beta1": a DNS subdomain group, a slash, a version. */
    private static final Pattern API_VERSION = Pattern.compile("([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?v[0-9]+[a-z0-9]*");
    private final JsonColumns json;

    public AgentFactsStore(JsonColumns json) {
        this.json = json;
    }

    /**
     * Records what the agent's Hello says: negotiated revision, namespace creation, API versions (only
     * well-formed ones, at most {@link GrpcLimits#MAX_API_VERSIONS}, sorted so that plans rendered with
     * them do not depend on the agent's order).
     */
    public void recordHello(Sql sql, String agentId, Hello hello) {
        int revision = ProtocolRevision.negotiate(hello.getProtocolRevision());
        List<String> apiVersions = apiVersions(hello.getCluster().getApiVersionsList());
        // A revision 1 agent knows neither field: null is "not told", not "false" or "none".
        boolean told = revision >= ProtocolRevision.PLANS;
        sql.update("update agents set protocol_revision = ?, creates_namespaces = ?, api_versions_json = ? where id = ?",
                revision, told ? hello.getCreatesNamespaces() : null,
                told && !apiVersions.isEmpty() ? json.write(apiVersions) : null, agentId);
    }

    /** The facts of the environment's current (non-revoked) agent; unknown when there is none. */
    public AgentFacts inEnvironment(Sql sql, String environmentId) {
        return sql.queryOne("select protocol_revision, creates_namespaces, kubernetes_version, api_versions_json "
                        + "from agents where environment_id = ? and status <> 'revoked'",
                rs -> {
                    String versions = rs.getString("api_versions_json");
                    Object creates = rs.getObject("creates_namespaces");
                    Object revision = rs.getObject("protocol_revision");
                    String kubernetes = rs.getString("kubernetes_version");
                    return new AgentFacts(revision == null ? null : ((Number) revision).intValue(),
                            creates == null ? null : (Boolean) creates,
                            kubernetes == null || kubernetes.isBlank() ? null : kubernetes,
                            versions == null ? List.of() : json.read(versions, LIST));
                }, environmentId)
                .orElse(AgentFacts.unknown());
    }

    /** The well-formed, distinct entries, sorted, at most the protocol's limit. */
    static List<String> apiVersions(List<String> reported) {
        TreeSet<String> kept = new TreeSet<>();
        for (String v : reported) {
            if (v.length() <= GrpcLimits.MAX_API_VERSION_CHARS && API_VERSION.matcher(v).matches()) {
                kept.add(v);
            }
        }
        return kept.stream().limit(GrpcLimits.MAX_API_VERSIONS).toList();
    }
}
