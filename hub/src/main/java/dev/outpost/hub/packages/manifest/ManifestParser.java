package dev.outpost.hub.packages.manifest;

import dev.outpost.hub.releases.ReleaseValidator;
import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.PlanStepNames;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Parses {@code outpost.yaml} strictly: unknown keys, wrong types and bad names are refused with the
 * path of the key ({@code components[1].chart.valuez}), every problem at once. What needs the rest of
 * the package (files, charts, the schema's meaning, dependency cycles) is checked elsewhere.
 */
public final class ManifestParser {
    /** Largest outpost.yaml, in bytes. */
    public static final int MAX_MANIFEST_BYTES = 1024 * 1024;
    /** Most plans a package may have. */
    public static final int MAX_PLANS = 20;
    /** Longest description, in characters. */
    public static final int MAX_DESCRIPTION_CHARS = 2000;

    static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    /** The version rule of releases (ReleaseValidator), so packages and plain releases agree. */
    static final Pattern VERSION = Pattern.compile(
            "v?(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?");
    private static final Pattern KIND = Pattern.compile("[A-Z][A-Za-z0-9]{0,62}");
    /** A Kubernetes quantity such as 2, 500m, 1.5Gi. */
    static final Pattern QUANTITY = Pattern.compile("[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?");
    private static final Pattern RESOURCE_NAME = Pattern.compile("[a-z0-9]([-a-z0-9./]{0,251}[a-z0-9])?");
    private static final Pattern PROPERTY_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,62}");
    private static final Set<String> INFRASTRUCTURE_KINDS = Set.of("nodePool", "bucket");

    private ManifestParser() {
    }

    /** The manifest in {@code text}, or every problem with it. */
    public static PackageManifest parse(String text) throws ManifestException {
        List<String> problems = new ArrayList<>();
        if (text.getBytes(StandardCharsets.UTF_8).length > MAX_MANIFEST_BYTES) {
            throw new ManifestException(List.of("outpost.yaml: is larger than " + MAX_MANIFEST_BYTES + " bytes"));
        }
        Object loaded;
        try {
            loaded = PlainYaml.plain(PlainYaml.loader().load(text));
        } catch (YAMLException e) {
            throw new ManifestException(List.of("outpost.yaml: is not valid YAML: " + oneLine(e.getMessage())));
        }
        Fields root = Fields.of("", loaded, problems);
        String service = root.string("service", true);
        if (service != null && !DNS_LABEL.matcher(service).matches()) {
            root.problem("service", "must be a DNS label (lower-case letters, digits and '-', at most 63)");
        }
        String version = root.string("version", true);
        if (version != null && (version.length() > ReleaseValidator.VERSION_MAX_CHARS
                || !VERSION.matcher(version).matches())) {
            root.problem("version", "must be a semantic version such as 1.2.3");
        }
        String description = root.string("description", false);
        if (description != null && description.length() > MAX_DESCRIPTION_CHARS) {
            root.problem("description", "must be at most " + MAX_DESCRIPTION_CHARS + " characters");
        }
        Map<String, Object> parameters = parameters(root);
        Map<String, PlanSpec> plans = plans(root);
        List<String> clusterScopedKinds = kinds(root);
        List<ComponentSpec> components = components(root, problems);
        root.finish();
        if (!problems.isEmpty()) {
            throw new ManifestException(problems);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> document = (Map<String, Object>) loaded;
        return new PackageManifest(service, version, description == null ? "" : description, parameters, plans,
                clusterScopedKinds, components, document);
    }

    private static Map<String, Object> parameters(Fields root) {
        if (!root.has("parameters")) {
            root.raw("parameters");
            return Map.of("type", "object", "properties", Map.of());
        }
        return root.freeMap("parameters");
    }

    private static Map<String, PlanSpec> plans(Fields root) {
        Fields plans = root.fields("plans", true);
        Map<String, PlanSpec> out = new LinkedHashMap<>();
        if (plans == null) {
            return out;
        }
        if (plans.keys().isEmpty()) {
            root.problem("plans", "must name at least one plan");
        } else if (plans.keys().size() > MAX_PLANS) {
            root.problem("plans", "must have at most " + MAX_PLANS + " plans");
        }
        for (String name : List.copyOf(plans.keys())) {
            if (!DNS_LABEL.matcher(name).matches()) {
                plans.problem(name, "plan names must be DNS labels");
            }
            Object value = plans.raw(name);
            Fields plan = Fields.of(plans.at(name), value == null ? Map.of() : value, plans.problems());
            Map<String, Object> values = plan.freeMap("values");
            Map<String, String> quota = quantities(plan, "quota", null);
            Map<String, String> defaults = quantities(plan, "containerDefaults", Set.of("cpu", "memory"));
            plan.finish();
            out.put(name, new PlanSpec(name, values, quota, defaults));
        }
        plans.finish();
        return out;
    }

    /** A map of resource name to Kubernetes quantity; {@code allowed} limits the names when non-null. */
    private static Map<String, String> quantities(Fields plan, String key, Set<String> allowed) {
        Map<String, Object> raw = plan.freeMap(key);
        Map<String, String> out = new LinkedHashMap<>();
        raw.forEach((resource, quantity) -> {
            String where = key + "." + resource;
            if (allowed != null && !allowed.contains(resource)) {
                plan.problem(where, "unknown key (allowed here: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
            } else if (allowed == null && !RESOURCE_NAME.matcher(resource).matches()) {
                plan.problem(where, "is not a Kubernetes resource name (e.g. requests.cpu, limits.memory, pods)");
            } else if (!(quantity instanceof String || quantity instanceof Number)
                    || !QUANTITY.matcher(String.valueOf(quantity)).matches()) {
                plan.problem(where, "must be a Kubernetes quantity such as 2, 500m or 4Gi");
            } else {
                out.put(resource, String.valueOf(quantity));
            }
        });
        return out;
    }

    private static List<String> kinds(Fields root) {
        List<String> kinds = new ArrayList<>();
        List<?> raw = root.list("clusterScopedKinds");
        for (int i = 0; i < raw.size(); i++) {
            if (raw.get(i) instanceof String kind && KIND.matcher(kind).matches()) {
                kinds.add(kind);
            } else {
                root.problem("clusterScopedKinds[" + i + "]", "must be a Kubernetes kind such as ClusterRole");
            }
        }
        return kinds;
    }

    private static List<ComponentSpec> components(Fields root, List<String> problems) {
        List<?> raw = root.list("components");
        List<ComponentSpec> out = new ArrayList<>();
        if (!root.has("components") || raw.isEmpty()) {
            root.problem("components", "must list at least one component");
            return out;
        }
        if (raw.size() > GrpcLimits.MAX_PLAN_STEPS) {
            root.problem("components", "must have at most " + GrpcLimits.MAX_PLAN_STEPS + " components");
            return out;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < raw.size(); i++) {
            Fields c = Fields.of("components[" + i + "]", raw.get(i), problems);
            String name = c.string("name", true);
            if (name != null && !DNS_LABEL.matcher(name).matches()) {
                c.problem("name", "must be a DNS label (lower-case letters, digits and '-', at most 63)");
            } else if (name != null && PlanStepNames.RESERVED.contains(name)) {
                c.problem("name", "'" + name + "' is the name of a step the agent adds to every plan; "
                        + "choose another");
            } else if (name != null && !names.add(name)) {
                c.problem("name", "'" + name + "' is used by another component");
            }
            List<String> dependsOn = dependsOn(c, name);
            ComponentWork work = work(c);
            GateSpec gate = gate(c, work);
            c.finish();
            out.add(new ComponentSpec(name, dependsOn, gate, work));
        }
        return out;
    }

    private static List<String> dependsOn(Fields c, String self) {
        List<String> out = new ArrayList<>();
        List<?> raw = c.list("dependsOn");
        for (int i = 0; i < raw.size(); i++) {
            if (!(raw.get(i) instanceof String dep)) {
                c.problem("dependsOn[" + i + "]", "must be a component name");
            } else if (dep.equals(self)) {
                c.problem("dependsOn[" + i + "]", "a component cannot depend on itself");
            } else if (out.contains(dep)) {
                c.problem("dependsOn[" + i + "]", "'" + dep + "' is listed twice");
            } else {
                out.add(dep);
            }
        }
        return out;
    }

    private static ComponentWork work(Fields c) {
        List<String> present = new ArrayList<>();
        for (String key : List.of("chart", "manifests", "infrastructure")) {
            if (c.has(key)) {
                present.add(key);
            }
        }
        ComponentWork chart = chart(c.fields("chart", false));
        ComponentWork manifests = manifests(c.fields("manifests", false));
        ComponentWork infrastructure = infrastructure(c.fields("infrastructure", false));
        if (present.size() != 1) {
            c.problem(present.isEmpty() ? "chart" : present.get(1),
                    "a component has exactly one of chart, manifests or infrastructure"
                            + (present.isEmpty() ? "" : " (this one has " + String.join(" and ", present) + ")"));
            return null;
        }
        return switch (present.getFirst()) {
            case "chart" -> chart;
            case "manifests" -> manifests;
            default -> infrastructure;
        };
    }

    private static ComponentWork chart(Fields f) {
        if (f == null) {
            return null;
        }
        String path = path(f);
        Map<String, Object> values = f.freeMap("values");
        f.finish();
        return new ComponentWork.Chart(path, values);
    }

    private static ComponentWork manifests(Fields f) {
        if (f == null) {
            return null;
        }
        String path = path(f);
        f.finish();
        return new ComponentWork.Manifests(path);
    }

    private static ComponentWork infrastructure(Fields f) {
        if (f == null) {
            return null;
        }
        String kind = f.string("kind", true);
        if (kind != null && !INFRASTRUCTURE_KINDS.contains(kind)) {
            f.problem("kind", "must be nodePool or bucket");
        }
        String name = f.string("name", true);
        // Expressions (e.g. "gpu-{{ deployment.name }}") are resolved per deployment and checked again then.
        if (name != null && !DNS_LABEL.matcher(name.replaceAll("\\{\\{[^}]*}}", "x")).matches()) {
            f.problem("name", "must be a DNS label");
        }
        Map<String, Object> properties = f.freeMap("properties");
        properties.forEach((key, value) -> {
            if (!PROPERTY_KEY.matcher(key).matches()) {
                f.problem("properties." + key, "property names are letters, digits, '_', '.' and '-'");
            } else if (value instanceof Map || value instanceof List || value == null) {
                f.problem("properties." + key, "must be a string, number or boolean");
            }
        });
        f.finish();
        return new ComponentWork.Infrastructure(kind, name, properties);
    }

    /** A path inside the package: relative, without '..'. */
    private static String path(Fields f) {
        String path = f.string("path", true);
        if (path == null) {
            return null;
        }
        String p = path.startsWith("./") ? path.substring(2) : path;
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.isEmpty() || p.startsWith("/") || p.contains("\\") || List.of(p.split("/")).contains("..")) {
            f.problem("path", "must be a relative path inside the package, without '..'");
            return null;
        }
        return p;
    }

    private static GateSpec gate(Fields c, ComponentWork work) {
        boolean infrastructure = work instanceof ComponentWork.Infrastructure;
        Fields g = c.fields("gate", false);
        GateSpec.Check fallback = infrastructure ? null : new GateSpec.WorkloadsReady();
        if (g == null) {
            return new GateSpec(GateSpec.DEFAULT_TIMEOUT_SECONDS, fallback);
        }
        int timeout = GateSpec.DEFAULT_TIMEOUT_SECONDS;
        Object rawTimeout = g.raw("timeoutSeconds");
        if (rawTimeout != null) {
            if (rawTimeout instanceof Integer t && t >= 1 && t <= GateSpec.MAX_TIMEOUT_SECONDS) {
                timeout = t;
            } else {
                g.problem("timeoutSeconds", "must be a whole number of seconds from 1 to " + GateSpec.MAX_TIMEOUT_SECONDS);
            }
        }
        List<GateSpec.Check> checks = new ArrayList<>();
        if (g.has("workloadsReady")) {
            Object value = g.raw("workloadsReady");
            if (value != null && !(value instanceof Map<?, ?> m && m.isEmpty())) {
                g.problem("workloadsReady", "takes no settings: write workloadsReady: {}");
            }
            checks.add(new GateSpec.WorkloadsReady());
        }
        Fields job = g.fields("job", false);
        if (job != null) {
            String name = job.string("name", true);
            if (name != null && !Pattern.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?", name)) {
                job.problem("name", "must be a Kubernetes object name");
            }
            job.finish();
            checks.add(new GateSpec.JobSucceeded(name));
        }
        Fields http = g.fields("http", false);
        if (http != null) {
            String url = http.string("url", true);
            if (url != null && !(url.matches("https?://[^\\s]{1,2000}"))) {
                http.problem("url", "must be an http:// or https:// URL");
            }
            http.finish();
            checks.add(new GateSpec.Http(url));
        }
        g.finish();
        if (checks.size() > 1) {
            c.problem("gate", "has at most one of workloadsReady, job or http");
        }
        GateSpec.Check check = checks.isEmpty() ? fallback : checks.getFirst();
        if (infrastructure && check != null && !(check instanceof GateSpec.Http)) {
            c.problem("gate", "an infrastructure component's gate may set timeoutSeconds and http only");
        }
        return new GateSpec(timeout, check);
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s+", " ").trim();
    }
}
