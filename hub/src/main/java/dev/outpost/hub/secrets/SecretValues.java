package dev.outpost.hub.secrets;

/**
 * Where the values of deployments' generated secrets live: sealed in the database ({@link
 * SealedSecretValues}), or in OpenBao's KV v2 with only a reference in the database ({@link
 * OpenBaoKvSecretValues}). Either way the column deployment_secrets.secret_value holds no plain value.
 */
public interface SecretValues {
    /** Keeps {@code value} of the deployment's secret {@code name}; answers what the database row holds. */
    String store(String deploymentId, String name, String value);

    /** The value a row holds (sealed, a reference, or plain from before sealing existed). */
    String value(String deploymentId, String name, String stored);

    /** Whether a row is kept as this store keeps new ones (the resealer moves the others). */
    boolean current(String stored);
}
