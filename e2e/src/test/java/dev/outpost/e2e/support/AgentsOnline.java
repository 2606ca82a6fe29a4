package dev.outpost.e2e.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.awaitility.Awaitility;

/** Waiting until the hub sees an environment's agent online. */
public final class AgentsOnline {
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    private AgentsOnline() {
    }

    /** The hub's view of the environment's first online agent; fails at once if the agent process exits. */
    public static JsonNode await(HubApi admin, String environmentId, ChildProcess agent) {
        JsonNode[] found = new JsonNode[1];
        Awaitility.await("agent online").atMost(PATIENCE).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!agent.isAlive()) {
                throw new IllegalStateException("the agent exited\n" + agent.logTail());
            }
            HubApi.Response response = admin.get("/api/v1/agents?environmentId=" + environmentId);
            if (response.status() != 200) {
                return false;
            }
            JsonNode agents = response.body().isArray() ? response.body() : response.body().path("items");
            for (JsonNode candidate : agents) {
                if ("online".equals(candidate.path("status").asText())) {
                    found[0] = candidate;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }
}
