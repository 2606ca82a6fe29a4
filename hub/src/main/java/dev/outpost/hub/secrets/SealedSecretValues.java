package dev.outpost.hub.secrets;

/** Secret values sealed in the database with the hub's current key. */
final class SealedSecretValues implements SecretValues {
    private final SecretSealer sealer;

    SealedSecretValues(SecretSealer sealer) {
        this.sealer = sealer;
    }

    @Override
    public String store(String deploymentId, String name, String value) {
        return sealer.sealText(value);
    }

    @Override
    public String value(String deploymentId, String name, String stored) {
        if (stored.startsWith(OpenBaoKvSecretValues.PREFIX)) {
            throw new IllegalStateException("the secret " + name + " of deployment " + deploymentId
                    + " is kept in OpenBao's KV, but outpost.secrets.openbao-kv-mount is not set");
        }
        return sealer.openText(stored);
    }

    @Override
    public boolean current(String stored) {
        return stored.startsWith(OpenBaoKvSecretValues.PREFIX) || sealer.sealedWithCurrentKey(stored);
    }
}
