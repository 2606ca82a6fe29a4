package dev.outpost.hub.deployments.packaged;

import dev.outpost.hub.secrets.SecretValues;
import dev.outpost.hub.store.Sql;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * SQL for the secrets the hub generated for deployments, kept sealed at rest or in OpenBao's KV
 * ({@link SecretValues}). Only planning reads them; nothing the REST API returns is built from this table.
 */
@Singleton
public class DeploymentSecretStore {
    private final SecretValues values;

    public DeploymentSecretStore(SecretValues values) {
        this.values = values;
    }

    /** The deployment's secrets by parameter name. */
    public Map<String, String> of(Sql sql, String deploymentId) {
        Map<String, String> secrets = new TreeMap<>();
        sql.query("select name, secret_value from deployment_secrets where deployment_id = ?",
                rs -> Map.entry(rs.getString("name"), values.value(deploymentId, rs.getString("name"),
                        rs.getString("secret_value"))), deploymentId)
                .forEach(e -> secrets.put(e.getKey(), e.getValue()));
        return secrets;
    }

    /** Adds secrets to the deployment (the caller generated them for names it has none for). */
    public void add(Sql sql, String deploymentId, Map<String, String> secrets, Instant now) {
        secrets.forEach((name, value) -> sql.update(
                "insert into deployment_secrets (deployment_id, name, secret_value, created_at) values (?, ?, ?, ?)",
                deploymentId, name, values.store(deploymentId, name, value), now));
    }
}
