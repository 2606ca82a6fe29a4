package dev.outpost.e2e.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.awaitility.core.ConditionTimeoutException;

/** Waiting for the hub's operations (create, change, delete of a deployment) to finish. */
public final class Operations {
    private static final Duration PATIENCE = Duration.ofMinutes(3);

    private Operations() {
    }

    /** The operation once it succeeded or failed; on a timeout the error shows it and the agent's log. */
    public static JsonNode awaitFinished(HubApi admin, String operationId, ChildProcess agent) {
        JsonNode[] last = new JsonNode[1];
        try {
            await("operation " + operationId + " finished").atMost(PATIENCE).pollInterval(Duration.ofMillis(250))
                    .until(() -> {
                        last[0] = admin.get("/api/v1/operations/" + operationId).expect(200);
                        String status = last[0].path("status").asText();
                        return status.equals("succeeded") || status.equals("failed");
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("operation never finished: " + last[0]
                    + (agent == null ? "" : "\n" + agent.logTail()), e);
        }
        return last[0];
    }

    /** Waits for the operation and asserts it succeeded. */
    public static void awaitSucceeded(HubApi admin, String operationId, ChildProcess agent) {
        JsonNode operation = awaitFinished(admin, operationId, agent);
        assertThat(operation.path("status").asText()).as("%s%n%s", operation, agent == null ? "" : agent.logTail())
                .isEqualTo("succeeded");
    }
}
