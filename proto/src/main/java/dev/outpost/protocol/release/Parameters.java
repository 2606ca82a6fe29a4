package dev.outpost.protocol.release;

import java.util.LinkedHashMap;
import java.util.Map;

/** Rules for deployment parameters, shared by the hub (which validates) and the agent (which renders). */
public final class Parameters {
    /** What a parameter name looks like. */
    public static final String NAME_PATTERN = "[A-Za-z_][A-Za-z0-9_.-]{0,62}";
    /** Names under this prefix are filled in by the agent and cannot be set by users. */
    public static final String BUILT_IN_PREFIX = "outpost.";
    /** The deployment's id. */
    public static final String DEPLOYMENT_ID = "outpost.deploymentId";
    /** The namespace the deployment is applied to. */
    public static final String NAMESPACE = "outpost.namespace";
    /** The release's service name. */
    public static final String SERVICE = "outpost.service";
    /** The release's version. */
    public static final String VERSION = "outpost.version";
    /** Longest value, in characters. */
    public static final int MAX_VALUE_CHARS = 4096;
    /** Most parameters a deployment or release may have. */
    public static final int MAX_COUNT = 200;

    private Parameters() {
    }

    /** Throws TemplateException unless every name and value is acceptable for user-set parameters. */
    public static void checkUserParameters(Map<String, String> parameters) {
        if (parameters.size() > MAX_COUNT) {
            throw new TemplateException("at most " + MAX_COUNT + " parameters are allowed");
        }
        parameters.forEach((name, value) -> {
            if (name == null || !name.matches(NAME_PATTERN)) {
                throw new TemplateException("parameter name '" + name + "' must match " + NAME_PATTERN);
            }
            if (name.startsWith(BUILT_IN_PREFIX)) {
                throw new TemplateException("parameter '" + name + "' is reserved: names starting with '"
                        + BUILT_IN_PREFIX + "' are set by Outpost");
            }
            checkValue(name, value);
        });
    }

    /** Throws TemplateException if a value is too long or has line breaks or control characters. */
    public static void checkValue(String name, String value) {
        if (value == null) {
            throw new TemplateException("parameter '" + name + "' has no value");
        }
        if (value.length() > MAX_VALUE_CHARS) {
            throw new TemplateException("parameter '" + name + "' is longer than " + MAX_VALUE_CHARS + " characters");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new TemplateException("parameter '" + name + "' contains a line break or control character");
        }
    }

    /** Defaults overridden by the given values; neither input is changed. */
    public static Map<String, String> merge(Map<String, String> defaults, Map<String, String> values) {
        Map<String, String> merged = new LinkedHashMap<>(defaults);
        merged.putAll(values);
        return merged;
    }

    /** The built-in values the agent adds before rendering. */
    public static Map<String, String> builtIns(String deploymentId, String namespace, String service, String version) {
        return Map.of(DEPLOYMENT_ID, deploymentId, NAMESPACE, namespace, SERVICE, service, VERSION, version);
    }
}
