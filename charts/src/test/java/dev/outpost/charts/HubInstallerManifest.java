package dev.outpost.charts;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The manifest shipped with installer-scripts/install-hub.sh: the hub chart rendered with stand-in
 * values, each then replaced by its placeholder, which the script fills in. One hub on embedded H2,
 * as a vendor tries it; production (PostgreSQL, replicas, a shared CA) is the chart's with Helm.
 * {@link HubInstallerManifestTest} keeps the file equal to this.
 */
public final class HubInstallerManifest {
    /** The release name the script installs as: objects are named outpost-hub, outpost-hub-gateway, ... */
    public static final String RELEASE = "outpost-hub";
    /** installer-scripts/manifests/outpost-hub.yaml, from the charts module's folder. */
    public static final Path FILE = InstallerManifests.DIR.resolve("outpost-hub.yaml");

    static final String HOSTNAMES = "outpost-placeholder-hostnames";
    static final String IMAGE_REPOSITORY = "outpost-placeholder/hub-image";
    static final String IMAGE_TAG = "placeholder-tag";
    static final String STORAGE_CLASS = "outpost-placeholder-storage-class";

    private static final Map<String, String> REPLACEMENTS = new LinkedHashMap<>(Map.of(
            Pattern.quote(HOSTNAMES), "__OUTPOST_HUB_HOSTNAMES__",
            Pattern.quote(IMAGE_REPOSITORY + ":" + IMAGE_TAG), "__OUTPOST_IMAGE__",
            Pattern.quote(STORAGE_CLASS), "__OUTPOST_STORAGE_CLASS__",
            Pattern.quote("app.kubernetes.io/managed-by: Helm"), "app.kubernetes.io/managed-by: outpost-installer"));

    private HubInstallerManifest() {
    }

    /** The values the chart is rendered with. */
    static String standInValues() {
        return """
                image: {registry: "", repository: %s, tag: %s}
                persistence: {storageClass: %s}
                gateway: {hostnames: [%s]}
                """.formatted(IMAGE_REPOSITORY, IMAGE_TAG, STORAGE_CLASS, HOSTNAMES);
    }

    /** What the shipped file must hold. */
    public static String generate(Path workDir) {
        String text = Charts.template(Charts.HUB, RELEASE, "__OUTPOST_HUB_NAMESPACE__", standInValues(), workDir);
        for (Map.Entry<String, String> replacement : REPLACEMENTS.entrySet()) {
            text = text.replaceAll(replacement.getKey(), Matcher.quoteReplacement(replacement.getValue()));
        }
        for (String leftover : List.of("placeholder", "managed-by: Helm")) {
            if (text.contains(leftover)) {
                throw new IllegalStateException("outpost-hub.yaml: a stand-in value was not replaced (" + leftover
                        + "): the chart renders it in a new way; add a replacement to HubInstallerManifest");
            }
        }
        return """
                # GENERATED from charts/outpost-hub: do not edit. Regenerate with
                #   ./mvnw -pl charts test -Dtest=HubInstallerManifestTest -Doutpost.regenerate=true
                # outpost-hub.yaml: one hub on embedded H2, for installer-scripts/install-hub.sh.
                # The __OUTPOST_*__ placeholders are listed in installer-scripts/README.md.
                """ + text;
    }
}
