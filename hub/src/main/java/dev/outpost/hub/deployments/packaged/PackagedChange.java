package dev.outpost.hub.deployments.packaged;

import dev.outpost.protocol.v1.Command;
import java.util.Map;

/**
 * A create or update of a package deployment, checked and planned, ready to be written in one
 * transaction.
 *
 * @param namespace     where the objects go
 * @param namespaceMode who owns that namespace
 * @param plan          the plan (tier) chosen
 * @param parameters    the caller's parameters as stored (secrets never among them)
 * @param secretsToAdd  secrets generated now for secret parameters the deployment had none for
 * @param command       the apply command carrying the rendered plan; null when {@code failure} is set
 * @param failure       why the operation fails at once (render failure, agent too old), in words an
 *                      operator can act on; null when the command can be queued
 */
public record PackagedChange(String namespace, NamespaceMode namespaceMode, String plan, Map<String, Object> parameters,
                             Map<String, String> secretsToAdd, Command command, String failure) {

    /** True when the operation must fail at once instead of queueing a command. */
    public boolean failed() {
        return failure != null;
    }
}
