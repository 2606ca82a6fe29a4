package dev.outpost.e2e.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A container image as `docker save` writes it (what images/build-image.sh makes): its config, the
 * paths in its layers, and its root filesystem unpacked into a folder, read with no container engine.
 */
final class ImageArchive {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path archive;
    private final JsonNode config;
    private final List<String> layers;

    private ImageArchive(Path archive, JsonNode config, List<String> layers) {
        this.archive = archive;
        this.config = config;
        this.layers = layers;
    }

    /** Reads the manifest and the config of the archive. */
    static ImageArchive read(Path archive) throws IOException {
        Map<String, byte[]> small = new HashMap<>();
        forEachEntry(archive, (entry, in) -> {
            if (entry.getName().endsWith(".json")) {
                small.put(entry.getName(), in.readAllBytes());
            }
        });
        JsonNode manifest = JSON.readTree(small.get("manifest.json")).get(0);
        JsonNode config = JSON.readTree(small.get(manifest.get("Config").asText()));
        List<String> layers = new ArrayList<>();
        manifest.get("Layers").forEach(layer -> layers.add(layer.asText()));
        return new ImageArchive(archive, config, layers);
    }

    /** The container settings: User, Entrypoint, Env, ExposedPorts, Labels, Volumes. */
    JsonNode container() {
        return config.get("config");
    }

    /** The tags the archive names (`outpost/outpost-agent:0.1.0`). */
    int layerCount() {
        return layers.size();
    }

    /** Every path in any layer, without the leading "./". */
    Set<String> paths() throws IOException {
        Set<String> paths = new LinkedHashSet<>();
        forEachLayerEntry((entry, in) -> paths.add(normalize(entry.getName())));
        return paths;
    }

    /** Unpacks the layers in order into {@code root} (files, folders and symbolic links; devices skipped). */
    void unpack(Path root) throws IOException {
        forEachLayerEntry((entry, in) -> {
            String name = normalize(entry.getName());
            if (name.isEmpty()) {
                return;
            }
            Path target = root.resolve(name).normalize();
            if (!target.startsWith(root)) {
                throw new IOException("layer entry outside the root: " + entry.getName());
            }
            if (entry.isDirectory()) {
                Files.createDirectories(target);
            } else if (entry.isSymbolicLink()) {
                Files.createDirectories(target.getParent());
                Files.deleteIfExists(target);
                Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
            } else if (entry.isLink()) {
                Files.createDirectories(target.getParent());
                Files.deleteIfExists(target);
                Files.createLink(target, root.resolve(normalize(entry.getLinkName())));
            } else if (entry.isFile()) {
                Files.createDirectories(target.getParent());
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                if ((entry.getMode() & 0111) != 0) {
                    target.toFile().setExecutable(true, false);
                }
            }
            if (Files.isDirectory(target) && (entry.getMode() & 0777) == 0777) {
                target.toFile().setWritable(true, false); // /tmp
            }
        });
    }

    private interface EntryReader {
        void read(TarArchiveEntry entry, InputStream in) throws IOException;
    }

    private void forEachLayerEntry(EntryReader reader) throws IOException {
        for (String layer : layers) {
            forEachEntry(archive, (entry, in) -> {
                if (entry.getName().equals(layer)) {
                    TarArchiveInputStream inner = new TarArchiveInputStream(in);
                    for (TarArchiveEntry e = inner.getNextEntry(); e != null; e = inner.getNextEntry()) {
                        reader.read(e, inner);
                    }
                }
            });
        }
    }

    private static void forEachEntry(Path archive, EntryReader reader) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(Files.newInputStream(archive))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                reader.read(entry, tar);
            }
        }
    }

    private static String normalize(String name) {
        String n = name.startsWith("./") ? name.substring(2) : name;
        return n.endsWith("/") ? n.substring(0, n.length() - 1) : n;
    }
}
