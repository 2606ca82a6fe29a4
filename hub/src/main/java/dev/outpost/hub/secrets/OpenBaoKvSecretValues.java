package dev.outpost.hub.secrets;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Secret values kept in OpenBao's KV v2, one KV secret each at
 * {@code <mount>/outpost-hub/deployments/<deployment>/<name>}, written once; the database row holds
 * only {@code openbao-kv:<path>@<version>}. Rows sealed in the database before (or while the setting
 * was off) still open, and the resealer moves them into KV.
 */
final class OpenBaoKvSecretValues implements SecretValues {
    static final String PREFIX = "openbao-kv:";
    private static final Pattern REFERENCE = Pattern.compile(Pattern.quote(PREFIX) + "(.+)@(\\d+)");

    private final OpenBaoKv kv;
    private final SecretSealer sealer;

    OpenBaoKvSecretValues(OpenBaoKv kv, SecretSealer sealer) {
        this.kv = kv;
        this.sealer = sealer;
    }

    @Override
    public String store(String deploymentId, String name, String value) {
        String path = "outpost-hub/deployments/" + deploymentId + "/" + name;
        return PREFIX + path + "@" + kv.create(path, value);
    }

    @Override
    public String value(String deploymentId, String name, String stored) {
        Matcher reference = REFERENCE.matcher(stored);
        if (!reference.matches()) {
            return sealer.openText(stored);
        }
        return kv.read(reference.group(1), Long.parseLong(reference.group(2)));
    }

    @Override
    public boolean current(String stored) {
        return REFERENCE.matcher(stored).matches();
    }
}
