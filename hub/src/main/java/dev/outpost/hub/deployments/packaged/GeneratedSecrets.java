package dev.outpost.hub.deployments.packaged;

import dev.outpost.hub.api.RequestBinder;
import dev.outpost.hub.packages.ParameterViolation;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The rules of a package's {@code secret: true} parameters: the hub generates each once per deployment,
 * keeps it across updates, generates one that a newer version adds on that update, and never takes one
 * from the caller.
 */
public final class GeneratedSecrets {
    /** Characters of a generated value: 32 of 62 letters and digits are about 190 random bits. */
    public static final int CHARS = 32;
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private GeneratedSecrets() {
    }

    /** A new random value: letters and digits only, so it fits in URLs, env vars and config files as is. */
    public static String generate() {
        StringBuilder out = new StringBuilder(CHARS);
        for (int i = 0; i < CHARS; i++) {
            out.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return out.toString();
    }

    /**
     * The values to add for a deployment that has {@code existing} secrets: one generated for every
     * secret parameter of the package that has none yet (by name, sorted); existing ones are never
     * replaced.
     */
    public static Map<String, String> toAdd(Set<String> secretParameters, Collection<String> existing,
                                            Supplier<String> generator) {
        Map<String, String> added = new TreeMap<>();
        for (String name : new TreeSet<>(secretParameters)) {
            if (!existing.contains(name)) {
                added.put(name, generator.get());
            }
        }
        return added;
    }

    /** One violation for every secret parameter the caller sent (pointer into the parameters object). */
    public static List<ParameterViolation> given(Set<String> secretParameters, Map<String, Object> parameters) {
        return new TreeSet<>(parameters.keySet()).stream()
                .filter(secretParameters::contains)
                .map(name -> new ParameterViolation(RequestBinder.pointer("", name),
                        "is a secret parameter: the hub generates it once per deployment and never shows it; "
                                + "do not send it"))
                .toList();
    }

    /** {@code parameters} with the deployment's secrets added: what the planner renders with. */
    public static Map<String, Object> withSecrets(Map<String, Object> parameters, Map<String, String> secrets) {
        Map<String, Object> all = new TreeMap<>(parameters);
        all.putAll(secrets);
        return all;
    }
}
