package dev.outpost.hub.releases;

import dev.outpost.hub.api.RequestBinder;
import dev.outpost.hub.api.Validation;
import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.release.ManifestTemplate;
import dev.outpost.protocol.release.Parameters;
import dev.outpost.protocol.release.TemplateException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Checks a release before it enters the catalogue, so a bad one fails here and not in a customer's
 * cluster: names, parameters, and manifests that parse as Kubernetes objects once rendered.
 */
public final class ReleaseValidator {
    /** Longest version, in characters. */
    public static final int VERSION_MAX_CHARS = 100;
    static final Pattern VERSION = Pattern.compile(
            "v?(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?");
    /**
     * Stand-in for every placeholder while checking structure: real values are only known per
     * deployment. A DNS-safe word keeps names such as "{{ name }}-config" valid.
     */
    static final String DUMMY_VALUE = "placeholder";
    /**
     * Largest manifests in UTF-8 bytes, as they travel: a quarter of the message limit, which leaves
     * the rest for parameters (at most 200 values of 4096 characters).
     */
    public static final int MAX_MANIFESTS_BYTES = GrpcLimits.MAX_MESSAGE_BYTES / 4;

    private ReleaseValidator() {
    }

    /** Records every problem of the release in {@code v}. */
    public static void validate(Validation v, String serviceName, String version, String manifests,
                                Map<String, String> defaults) {
        v.dnsLabel("serviceName", serviceName);
        v.matches("version", version, VERSION, VERSION_MAX_CHARS, "a semantic version such as 1.2.3");
        checkParameters(v, "defaultParameters", defaults);
        if (manifests == null || manifests.isBlank()) {
            v.error("manifests", "is required");
        } else if (manifests.length() > GrpcLimits.MAX_MANIFESTS_CHARS) {
            v.error("manifests", "must be at most " + GrpcLimits.MAX_MANIFESTS_CHARS + " characters");
        } else if (manifests.getBytes(StandardCharsets.UTF_8).length > MAX_MANIFESTS_BYTES) {
            v.error("manifests", "must be at most " + MAX_MANIFESTS_BYTES + " bytes in UTF-8");
        } else {
            checkManifests(v, manifests);
        }
    }

    /**
     * Records every problem of user-set parameters (deployment parameters, a release's defaults) under
     * {@code field}: too many, and each bad name or value at its own pointer ("/parameters/replicas").
     */
    public static void checkParameters(Validation v, String field, Map<String, String> parameters) {
        if (parameters.size() > Parameters.MAX_COUNT) {
            v.error(field, "must have at most " + Parameters.MAX_COUNT + " entries (has " + parameters.size() + ")");
            return;
        }
        String pointer = field.startsWith("/") ? field : RequestBinder.pointer("", field);
        parameters.forEach((name, value) -> {
            try {
                Parameters.checkUserParameters(Collections.singletonMap(name, value));
            } catch (TemplateException e) {
                v.error(RequestBinder.pointer(pointer, name), e.getMessage());
            }
        });
    }

    private static void checkManifests(Validation v, String manifests) {
        Map<String, String> dummies = new LinkedHashMap<>();
        ManifestTemplate.placeholders(manifests).forEach(name -> dummies.put(name, DUMMY_VALUE));
        checkRendered(v, "manifests", ManifestTemplate.render(manifests, dummies));
    }

    /** Records in {@code v}, under {@code field}, every reason the rendered text is not a list of Kubernetes objects. */
    public static void checkRendered(Validation v, String field, String rendered) {
        int objects = 0;
        int index = 0;
        try {
            for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(rendered)) {
                index++;
                if (doc == null) {
                    continue; // an empty document, e.g. a leading "---"
                }
                objects++;
                String problem = objectProblem(doc);
                if (problem != null) {
                    v.error(field, "document " + index + ": " + problem);
                }
            }
        } catch (YAMLException e) {
            v.error(field, "rendered manifests are not valid YAML: " + firstLine(e.getMessage()));
            return;
        }
        if (objects == 0) {
            v.error(field, "manifests must contain at least one Kubernetes object");
        }
    }

    /** What keeps a parsed document from being a Kubernetes object, or null if nothing does. */
    static String objectProblem(Object doc) {
        if (!(doc instanceof Map<?, ?> object)) {
            return "must be a mapping (a Kubernetes object)";
        }
        for (String field : new String[] {"apiVersion", "kind"}) {
            if (!(object.get(field) instanceof String s) || s.isBlank()) {
                return "needs a '" + field + "'";
            }
        }
        if (!(object.get("metadata") instanceof Map<?, ?> metadata)
                || !(metadata.get("name") instanceof String name) || name.isBlank()) {
            return "needs 'metadata.name'";
        }
        return null;
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }
}
