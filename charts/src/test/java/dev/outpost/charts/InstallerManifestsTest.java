package dev.outpost.charts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.charts.InstallerManifests.Manifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifests shipped with installer-scripts/install-agent.sh are what the agent chart renders:
 * byte for byte (with -Doutpost.regenerate=true this test rewrites them instead), and, once the
 * placeholders are filled as the script fills them, the same objects as the chart renders with those
 * values. So the script and a Helm install of the chart make the same agent.
 */
class InstallerManifestsTest {
    private static final Path SCRIPT = InstallerManifests.DIR.getParent().resolve("install-agent.sh");

    @TempDir
    Path work;

    @Test
    void shippedManifestsAreWhatTheChartRenders() throws IOException {
        boolean regenerate = Boolean.getBoolean("outpost.regenerate");
        for (Manifest manifest : Manifest.values()) {
            String expected = InstallerManifests.generate(manifest, work);
            if (regenerate) {
                Files.createDirectories(manifest.path().getParent());
                Files.writeString(manifest.path(), expected, StandardCharsets.UTF_8);
            }
            assertThat(manifest.path()).as("%s is missing: regenerate it (see installer-scripts/README.md)", manifest.path()).exists();
            assertThat(Files.readString(manifest.path(), StandardCharsets.UTF_8))
                    .as("%s differs from what charts/outpost-agent renders: regenerate it with "
                            + "./mvnw -pl charts test -Dtest=InstallerManifestsTest -Doutpost.regenerate=true", manifest.file)
                    .isEqualTo(expected);
        }
    }

    @Test
    void filledManifestsAreTheChartWithTheSameValues() throws IOException {
        // Behind a proxy, with a storage class, a private image and two managed namespaces.
        Map<String, String> full = new TreeMap<>(Map.of(
                "__OUTPOST_AGENT_NAMESPACE__", "outpost",
                "__OUTPOST_HUB__", "hub.vendor.example:8443",
                "__OUTPOST_HUB_PORT__", "8443",
                "__OUTPOST_CA_HASH__", AgentValues.CA_HASH,
                "__OUTPOST_JOIN_TOKEN__", "abcdef.0123456789abcdef",
                "__OUTPOST_NAMESPACES__", "acme-apps,acme-data",
                "__OUTPOST_IMAGE__", "registry.example/team/agent:1.2.3",
                "__OUTPOST_STORAGE_CLASS__", "fast"));
        full.putAll(Map.of(
                "__OUTPOST_HTTPS_PROXY__", "http://proxy.corp.example:3128",
                "__OUTPOST_PROXY_HOST__", "proxy.corp.example",
                "__OUTPOST_PROXY_PORT__", "3128",
                "__OUTPOST_NO_PROXY__", "localhost,.svc,10.96.0.0/12",
                "__OUTPOST_JAVA_NON_PROXY_HOSTS__", "localhost|*.svc",
                "__OUTPOST_PROXY_CREDENTIALS_SECRET__", "proxy-login",
                "__OUTPOST_ALLOWED_IMAGES__", "registry.vendor.example,ghcr.io/vendor/",
                "__OUTPOST_DENIED_KINDS__", "Secret"));
        String fullValues = """
                hub: {address: "hub.vendor.example:8443", caHash: "%s"}
                joinToken: {value: "abcdef.0123456789abcdef"}
                namespaces: [acme-apps, acme-data]
                image: {registry: registry.example, repository: team/agent, tag: 1.2.3}
                persistence: {storageClass: fast}
                proxy: {httpsProxy: "http://proxy.corp.example:3128", noProxy: [localhost, .svc, 10.96.0.0/12],
                        credentialsSecret: proxy-login}
                policy: {allowedImages: [registry.vendor.example, ghcr.io/vendor/], deniedKinds: [Secret]}
                """.formatted(AgentValues.CA_HASH);
        List<String> filled = new ArrayList<>();
        filled.add(fill(Manifest.AGENT_PROXY, full));
        for (String managed : List.of("acme-apps", "acme-data")) {
            Map<String, String> one = new TreeMap<>(full);
            one.put("__OUTPOST_MANAGED_NAMESPACE__", managed);
            filled.add(fill(Manifest.NAMESPACE, one));
        }
        assertSameObjects(String.join("---\n", filled), render(fullValues));

        // A namespace per deployment, the default image, no proxy and the cluster's default storage class.
        Map<String, String> minimal = Map.of(
                "__OUTPOST_AGENT_NAMESPACE__", "outpost-system",
                "__OUTPOST_HUB__", "[2001:db8::1]:443",
                "__OUTPOST_HUB_PORT__", "443",
                "__OUTPOST_CA_HASH__", AgentValues.CA_HASH,
                "__OUTPOST_JOIN_TOKEN__", "abcdef.0123456789abcdef",
                "__OUTPOST_IMAGE__", defaultImageOfTheScript(),
                "__OUTPOST_STORAGE_CLASS__", "");
        String minimalValues = """
                hub: {address: "[2001:db8::1]:443", caHash: "%s"}
                joinToken: {value: "abcdef.0123456789abcdef"}
                namespaceMode: per-deployment
                """.formatted(AgentValues.CA_HASH);
        assertSameObjects(fill(Manifest.PER_DEPLOYMENT, minimal), Charts.template(Charts.AGENT,
                InstallerManifests.RELEASE, "outpost-system", minimalValues, work));
    }

    @Test
    void theScriptsDefaultsAreTheChartsDefaults() throws IOException {
        Rendered defaults = Charts.render(Charts.AGENT, InstallerManifests.RELEASE, "outpost",
                AgentValues.defaults("acme-apps"), work);
        Map<String, Object> container = Rendered.mapAt(defaults.only("Deployment"), "spec.template.spec.containers[0]");
        assertThat(defaultImageOfTheScript()).isEqualTo(container.get("image"));

        Map<String, Object> chartValues = new org.yaml.snakeyaml.Yaml().load(
                Files.readString(Charts.AGENT.resolve("values.yaml"), StandardCharsets.UTF_8));
        Object noProxy = Rendered.at(chartValues, "proxy.noProxy");
        assertThat(scriptDefault("default_no_proxy")).as("proxy.noProxy %s", noProxy).isEqualTo(String.join(",",
                Rendered.listAt(chartValues, "proxy.noProxy").stream().map(String::valueOf).toList()));
    }

    private String render(String values) {
        return Charts.template(Charts.AGENT, InstallerManifests.RELEASE, "outpost", values, work);
    }

    /**
     * What install-agent.sh does with a shipped file: each placeholder replaced; the lines of an unset
     * storage class, of empty policy lists and of absent proxy credentials removed.
     */
    static String fill(Manifest manifest, Map<String, String> values) throws IOException {
        String text = Files.readString(manifest.path(), StandardCharsets.UTF_8);
        if (values.getOrDefault("__OUTPOST_STORAGE_CLASS__", "").isEmpty()) {
            text = text.replaceAll("(?m)^ *storageClassName: \"__OUTPOST_STORAGE_CLASS__\"\\n", "");
        }
        for (String policy : List.of("ALLOWED_IMAGES", "DENIED_IMAGES", "ALLOWED_KINDS", "DENIED_KINDS")) {
            if (values.getOrDefault("__OUTPOST_" + policy + "__", "").isEmpty()) {
                text = text.replaceAll("(?m)^ *- name: OUTPOST_" + policy + "\\n *value: \"__OUTPOST_" + policy + "__\"\\n", "");
            }
        }
        if (values.getOrDefault("__OUTPOST_PROXY_CREDENTIALS_SECRET__", "").isEmpty()) {
            text = text.replaceAll("(?ms)^ *# Basic credentials for the proxy.*?key: password}\\n", "");
        }
        for (Map.Entry<String, String> value : values.entrySet()) {
            text = text.replace(value.getKey(), value.getValue());
        }
        Matcher left = Pattern.compile("__OUTPOST_[A-Z_]+__").matcher(text);
        assertThat(left.find()).as("placeholder left unfilled in %s", manifest.file).isFalse();
        return text;
    }

    static void assertSameObjects(String filled, String rendered) {
        Map<String, Map<String, Object>> fromScript = byName(Rendered.parse(filled));
        Map<String, Map<String, Object>> fromChart = byName(Rendered.parse(
                rendered.replace("app.kubernetes.io/managed-by: Helm", "app.kubernetes.io/managed-by: outpost-installer")));
        assertThat(fromScript.keySet()).isEqualTo(fromChart.keySet());
        fromChart.forEach((name, object) -> assertThat(fromScript.get(name)).as(name).isEqualTo(object));
    }

    private static Map<String, Map<String, Object>> byName(Rendered objects) {
        Map<String, Map<String, Object>> named = new TreeMap<>();
        objects.objects().forEach(o -> named.put(o.get("kind") + " " + Rendered.at(o, "metadata.namespace") + "/"
                + Rendered.at(o, "metadata.name"), o));
        return named;
    }

    private static String defaultImageOfTheScript() throws IOException {
        return scriptDefault("default_image");
    }

    /** A {@code name="value"} line of install-agent.sh. */
    private static String scriptDefault(String name) throws IOException {
        Matcher matcher = Pattern.compile("(?m)^" + name + "=\"([^\"]*)\"$").matcher(Files.readString(SCRIPT, StandardCharsets.UTF_8));
        assertThat(matcher.find()).as("%s has no line %s=\"...\"", SCRIPT, name).isTrue();
        return matcher.group(1);
    }
}
