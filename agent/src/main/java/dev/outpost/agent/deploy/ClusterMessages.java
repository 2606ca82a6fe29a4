package dev.outpost.agent.deploy;

import io.fabric8.kubernetes.client.KubernetesClientException;

/** Turns a failure talking to the cluster into one line for a step's message (the API server's own words). */
final class ClusterMessages {
    private ClusterMessages() {
    }

    static String of(Throwable failure) {
        if (failure instanceof KubernetesClientException k) {
            if (k.getStatus() != null && k.getStatus().getMessage() != null && !k.getStatus().getMessage().isBlank()) {
                // a refusal says so plainly: the customer's security team granted less than the release needs
                return k.getCode() == 403 ? "refused by the API server (403 Forbidden): " + k.getStatus().getMessage()
                        : k.getStatus().getMessage();
            }
            if (k.getCode() > 0) {
                return "the API server answered HTTP " + k.getCode() + ": " + k.getMessage();
            }
            Throwable cause = k.getCause();
            return "cannot reach the API server: " + (cause == null ? k.getMessage() : cause.getMessage());
        }
        return failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    }
}
