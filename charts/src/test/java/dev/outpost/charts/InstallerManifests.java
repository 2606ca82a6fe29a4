package dev.outpost.charts;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The manifests shipped with installer-scripts/install-agent.sh: the agent chart rendered with
 * stand-in values that pass the chart's schema, then each stand-in replaced by its placeholder
 * ({@code __OUTPOST_HUB__} and so on), which the script (and later the hub) fills in. The files are
 * listed in installer-scripts/README.md; {@link InstallerManifestsTest} keeps them equal to this.
 */
public final class InstallerManifests {

    /** The release name the script installs as: objects are named outpost-agent, outpost-agent-state, ... */
    public static final String RELEASE = "outpost-agent";

    /** installer-scripts/manifests, from the charts module's folder (where tests run). */
    public static final Path DIR = Path.of("..", "installer-scripts", "manifests").toAbsolutePath().normalize();

    /** The shipped files: name to whether it has the proxy, the mode, and which part of the chart. */
    public enum Manifest {
        AGENT("outpost-agent.yaml", "existing", false, Part.ALL_BUT_NAMESPACE_RBAC),
        AGENT_PROXY("outpost-agent-proxy.yaml", "existing", true, Part.ALL_BUT_NAMESPACE_RBAC),
        PER_DEPLOYMENT("outpost-agent-per-deployment.yaml", "per-deployment", false, Part.ALL_BUT_NAMESPACE_RBAC),
        PER_DEPLOYMENT_PROXY("outpost-agent-per-deployment-proxy.yaml", "per-deployment", true, Part.ALL_BUT_NAMESPACE_RBAC),
        NAMESPACE("outpost-agent-namespace.yaml", "existing", false, Part.NAMESPACE_RBAC);

        final String file;
        final String mode;
        final boolean proxy;
        final Part part;

        Manifest(String file, String mode, boolean proxy, Part part) {
            this.file = file;
            this.mode = mode;
            this.proxy = proxy;
            this.part = part;
        }

        public Path path() {
            return DIR.resolve(file);
        }
    }

    enum Part { ALL_BUT_NAMESPACE_RBAC, NAMESPACE_RBAC }

    /** The template whose documents are the Role + RoleBinding of one managed namespace. */
    static final String NAMESPACE_RBAC_SOURCE = "# Source: outpost-agent/templates/rbac-namespaces.yaml";

    // Stand-ins that pass values.schema.json; each is replaced by its placeholder after rendering.
    static final String HUB_PORT = "65431";
    static final String HUB = "outpost-hub.placeholder.invalid:" + HUB_PORT;
    static final String CA_HASH = "sha256:" + "0123456789abcdef".repeat(4);
    static final String NAMESPACES = "outpost-placeholder-namespaces";
    static final String MANAGED = "outpost-placeholder-managed";
    static final String IMAGE_REPOSITORY = "outpost-placeholder/image";
    static final String IMAGE_TAG = "placeholder-tag";
    static final String STORAGE_CLASS = "outpost-placeholder-storage-class";
    static final String PROXY_HOST = "outpost-proxy.placeholder.invalid";
    static final String PROXY_PORT = "65432";
    static final String PROXY = "http://" + PROXY_HOST + ":" + PROXY_PORT;
    static final String NO_PROXY = "outpost-placeholder-no-proxy";
    static final String PROXY_CREDENTIALS = "outpost-placeholder-proxy-credentials";
    static final String ALLOWED_IMAGES = "outpost-placeholder-allowed-images";
    static final String DENIED_IMAGES = "outpost-placeholder-denied-images";
    // Kinds must start upper-case (values.schema.json).
    static final String ALLOWED_KINDS = "OutpostPlaceholderAllowedKinds";
    static final String DENIED_KINDS = "OutpostPlaceholderDeniedKinds";

    /** Stand-in (regular expression) to placeholder, applied in this order. */
    static final Map<String, String> REPLACEMENTS = replacements();

    private static Map<String, String> replacements() {
        Map<String, String> r = new LinkedHashMap<>();
        r.put(Pattern.quote(HUB), "__OUTPOST_HUB__");
        r.put(Pattern.quote("port: " + HUB_PORT + "}"), "port: __OUTPOST_HUB_PORT__}");
        r.put(Pattern.quote(CA_HASH), "__OUTPOST_CA_HASH__");
        r.put(Pattern.quote(PROXY), "__OUTPOST_HTTPS_PROXY__");
        r.put(Pattern.quote("-Dhttps.proxyHost=" + PROXY_HOST), "-Dhttps.proxyHost=__OUTPOST_PROXY_HOST__");
        r.put(Pattern.quote("-Dhttps.proxyPort=" + PROXY_PORT), "-Dhttps.proxyPort=__OUTPOST_PROXY_PORT__");
        r.put(Pattern.quote("port: " + PROXY_PORT + "}"), "port: __OUTPOST_PROXY_PORT__}");
        r.put(Pattern.quote("-Dhttp.nonProxyHosts=" + NO_PROXY), "-Dhttp.nonProxyHosts=__OUTPOST_JAVA_NON_PROXY_HOSTS__");
        r.put(Pattern.quote(NO_PROXY), "__OUTPOST_NO_PROXY__");
        r.put(Pattern.quote(PROXY_CREDENTIALS), "__OUTPOST_PROXY_CREDENTIALS_SECRET__");
        // The customer's policy: always rendered, the script fills each (empty: no rule).
        r.put(Pattern.quote(ALLOWED_IMAGES), "__OUTPOST_ALLOWED_IMAGES__");
        r.put(Pattern.quote(DENIED_IMAGES), "__OUTPOST_DENIED_IMAGES__");
        r.put(Pattern.quote(ALLOWED_KINDS), "__OUTPOST_ALLOWED_KINDS__");
        r.put(Pattern.quote(DENIED_KINDS), "__OUTPOST_DENIED_KINDS__");
        // The NetworkPolicy's list of managed namespaces: one flow sequence, so a comma list fills it.
        r.put("values:\\n *- " + Pattern.quote(NAMESPACES) + "\\n", "values: [__OUTPOST_NAMESPACES__]\n");
        r.put(Pattern.quote(NAMESPACES), "__OUTPOST_NAMESPACES__");
        r.put(Pattern.quote(MANAGED), "__OUTPOST_MANAGED_NAMESPACE__");
        r.put(Pattern.quote(IMAGE_REPOSITORY + ":" + IMAGE_TAG), "__OUTPOST_IMAGE__");
        r.put(Pattern.quote(STORAGE_CLASS), "__OUTPOST_STORAGE_CLASS__");
        // Applied with kubectl, not Helm.
        r.put(Pattern.quote("app.kubernetes.io/managed-by: Helm"), "app.kubernetes.io/managed-by: outpost-installer");
        return r;
    }

    private InstallerManifests() {
    }

    /** The values the chart is rendered with for one shipped file. */
    static String standInValues(Manifest manifest) {
        StringBuilder values = new StringBuilder("""
                hub: {address: "%s", caHash: "%s"}
                joinToken: {value: "__OUTPOST_JOIN_TOKEN__"}
                image: {registry: "", repository: %s, tag: %s}
                persistence: {storageClass: %s}
                namespaceMode: %s
                """.formatted(HUB, CA_HASH, IMAGE_REPOSITORY, IMAGE_TAG, STORAGE_CLASS, manifest.mode));
        if (manifest.part == Part.NAMESPACE_RBAC) {
            values.append("namespaces: [").append(MANAGED).append("]\n");
        } else if (manifest.mode.equals("existing")) {
            values.append("namespaces: [").append(NAMESPACES).append("]\n");
        }
        if (manifest.proxy) {
            values.append("proxy: {httpsProxy: \"").append(PROXY).append("\", noProxy: [").append(NO_PROXY)
                    .append("], credentialsSecret: ").append(PROXY_CREDENTIALS).append("}\n");
        }
        values.append("policy: {allowedImages: [").append(ALLOWED_IMAGES).append("], deniedImages: [").append(DENIED_IMAGES)
                .append("], allowedKinds: [").append(ALLOWED_KINDS).append("], deniedKinds: [").append(DENIED_KINDS)
                .append("]}\n");
        return values.toString();
    }

    /** What the shipped file must hold. */
    public static String generate(Manifest manifest, Path workDir) {
        String rendered = Charts.template(Charts.AGENT, RELEASE, "__OUTPOST_AGENT_NAMESPACE__", standInValues(manifest), workDir);
        List<String> kept = new ArrayList<>();
        for (String document : rendered.split("(?m)^---\\n")) {
            if (document.isBlank()) {
                continue;
            }
            boolean namespaceRbac = document.startsWith(NAMESPACE_RBAC_SOURCE);
            if (namespaceRbac == (manifest.part == Part.NAMESPACE_RBAC)) {
                kept.add(document.endsWith("\n") ? document : document + "\n");
            }
        }
        String text = String.join("---\n", kept);
        for (Map.Entry<String, String> replacement : REPLACEMENTS.entrySet()) {
            text = text.replaceAll(replacement.getKey(), Matcher.quoteReplacement(replacement.getValue()));
        }
        for (String leftover : List.of("placeholder", "Placeholder", HUB_PORT, PROXY_PORT, "0123456789abcdef")) {
            if (text.contains(leftover)) {
                throw new IllegalStateException(manifest.file + ": a stand-in value was not replaced (" + leftover
                        + "): the chart renders it in a new way; add a replacement to InstallerManifests");
            }
        }
        return header(manifest) + text;
    }

    private static String header(Manifest manifest) {
        String what = manifest.part == Part.NAMESPACE_RBAC
                ? "the Role + RoleBinding of ONE managed namespace (__OUTPOST_MANAGED_NAMESPACE__), repeated per namespace"
                : "everything but the per-namespace Roles (namespaceMode " + manifest.mode
                        + (manifest.proxy ? ", behind an HTTPS proxy)" : ")");
        return """
                # GENERATED from charts/outpost-agent: do not edit. Regenerate with
                #   ./mvnw -pl charts test -Dtest=InstallerManifestsTest -Doutpost.regenerate=true
                # %s: %s.
                # The __OUTPOST_*__ placeholders are listed in installer-scripts/README.md.
                """.formatted(manifest.file, what);
    }
}
