package dev.outpost.e2e.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.e2e.support.ProjectPaths;
import dev.outpost.testcluster.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.jar.JarFile;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's and the hub's container images as the build writes them (images/build-image.sh, at
 * `package`): their settings read from the archives, and each one's entrypoint run on its own root
 * filesystem (unpacked, in a chroot with a mount namespace of its own, as user 65532), as a container
 * engine would run it; there is none here.
 */
class ContainerImagesIT {
    private static final String USER = "65532:65532";

    @TempDir
    Path dir;

    @Test
    void theAgentImageRunsAsNonRootWithoutAShellAndExposesItsMetricsPort() throws Exception {
        ImageArchive image = ImageArchive.read(image("agent"));
        JsonNode container = image.container();

        assertThat(container.get("User").asText()).isEqualTo(USER);
        assertThat(strings(container.get("Entrypoint"))).startsWith("/opt/java/bin/java")
                .endsWith("-jar", "/app/outpost-agent.jar");
        // JVM sizing for a container in JAVA_TOOL_OPTIONS, which the chart's javaOptions replaces
        assertThat(strings(container.get("Env")))
                .contains("JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError");
        assertThat(fieldNames(container.get("ExposedPorts"))).containsExactly("9464/tcp");
        // probes reach /healthz on the pod IP, so the image listens beyond loopback
        assertThat(strings(container.get("Env"))).contains("OUTPOST_METRICS_ADDRESS=0.0.0.0:9464",
                "OUTPOST_STATE_DIR=/var/lib/outpost-agent");
        assertThat(container.get("Labels").get("org.opencontainers.image.title").asText()).isEqualTo("outpost-agent");
        assertThat(container.get("Labels").get("org.opencontainers.image.version").asText()).isEqualTo(version("agent"));
        assertNoShellNorPackageManager(image);
    }

    @Test
    void theHubImageExposesRestAndTheAgentGateway() throws Exception {
        ImageArchive image = ImageArchive.read(image("hub"));
        JsonNode container = image.container();

        assertThat(container.get("User").asText()).isEqualTo(USER);
        assertThat(strings(container.get("Entrypoint"))).startsWith("/opt/java/bin/java").endsWith("-jar", "/app/outpost-hub.jar");
        assertThat(fieldNames(container.get("ExposedPorts"))).containsExactlyInAnyOrder("8080/tcp", "8443/tcp");
        assertThat(fieldNames(container.get("Volumes"))).containsExactly("/var/lib/outpost-hub");
        assertThat(container.get("Labels").get("org.opencontainers.image.version").asText()).isEqualTo(version("hub"));
        assertNoShellNorPackageManager(image);
    }

    @Test
    void theAgentsEntrypointRunsOnItsOwnRootFilesystem() throws Exception {
        Path root = unpack("agent");
        ImageArchive image = ImageArchive.read(image("agent"));
        List<String> command = new ArrayList<>(strings(image.container().get("Entrypoint")));
        command.add("--version");

        Process agent = runInImage(root, image, command, Map.of());

        assertThat(agent.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(agent.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip())
                .isEqualTo("outpost-agent " + version("agent"));
        assertThat(agent.exitValue()).isZero();
    }

    @Test
    void theHubStartsFromItsImageOnEmbeddedH2AndAnswersHealth() throws Exception {
        Path root = unpack("hub");
        ImageArchive image = ImageArchive.read(image("hub"));
        int http = FreePorts.next();
        // the image's own data dir is a volume; here /tmp of the image stands in for it
        Process hub = runInImage(root, image, strings(image.container().get("Entrypoint")), Map.of(
                "OUTPOST_DATA_DIR", "/tmp/outpost-hub", "OUTPOST_HTTP_PORT", String.valueOf(http),
                "OUTPOST_GRPC_PORT", String.valueOf(FreePorts.next())));
        try {
            HttpClient client = HttpClient.newHttpClient();
            HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/health"))
                    .timeout(Duration.ofSeconds(2)).build();
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> {
                assertThat(hub.isAlive()).as("hub process in the image").isTrue();
                return client.send(health, HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            });
            // it ran as the image's user: what it wrote belongs to 65532
            assertThat(Files.getAttribute(root.resolve("tmp/outpost-hub"), "unix:uid")).isEqualTo(65532);
        } finally {
            stop(hub);
        }
    }

    /**
     * Stops the entrypoint and everything under it. unshare's --kill-child does not reach the JVM: its
     * parent-death signal is cleared when chroot --userspec changes the user, so it is stopped itself.
     */
    private static void stop(Process process) throws InterruptedException {
        List<ProcessHandle> tree = process.descendants().toList();
        tree.forEach(ProcessHandle::destroy);
        process.destroy();
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(30, TimeUnit.SECONDS);
            } catch (TimeoutException | ExecutionException e) {
                handle.destroyForcibly();
            }
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private static void assertNoShellNorPackageManager(ImageArchive image) throws IOException {
        Set<String> paths = image.paths();
        assertThat(paths).contains("opt/java/bin/java", "etc/passwd");
        assertThat(paths).doesNotContain("bin/sh", "usr/bin/sh", "bin/bash", "usr/bin/bash", "bin/dash", "usr/bin/dash",
                "usr/bin/apt", "usr/bin/dpkg", "usr/bin/busybox");
    }

    /**
     * The entrypoint in a chroot of the unpacked image, in a mount namespace of its own (the host's
     * mounts are untouched, and the namespace's go with the process) with /proc and /dev as a container
     * runtime gives them, as the image's user, with only the image's Env (and {@code env}).
     */
    private Process runInImage(Path root, ImageArchive image, List<String> entrypoint, Map<String, String> env)
            throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "running an image's root filesystem needs root (chroot, a mount namespace): CI runs as root");
        List<String> command = new ArrayList<>(List.of("/usr/bin/unshare", "--mount", "--propagation", "private", "--fork", "--kill-child",
                "/bin/sh", "-c", "root=$0 user=$1; shift; mount -t proc proc \"$root/proc\" && mount --rbind /dev \"$root/dev\" "
                        + "&& exec /usr/sbin/chroot --userspec=\"$user\" \"$root\" \"$@\"", root.toString(), image.container().get("User").asText()));
        command.addAll(entrypoint);
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(dir.resolve("stderr.log").toFile());
        builder.environment().clear();
        for (String entry : strings(image.container().get("Env"))) {
            String[] pair = entry.split("=", 2);
            builder.environment().put(pair[0], pair[1]);
        }
        builder.environment().putAll(env);
        return builder.start();
    }

    private Path unpack(String component) throws IOException {
        Path root = dir.resolve("rootfs");
        ImageArchive.read(image(component)).unpack(root);
        Files.createDirectories(root.resolve("proc"));
        Files.createDirectories(root.resolve("dev"));
        return root;
    }

    private static Path image(String component) {
        Path archive = ProjectPaths.root().resolve(component + "/target/outpost-" + component + "-image.tar");
        assertThat(archive).as("built by ./mvnw package (images/build-image.sh)").isRegularFile();
        return archive;
    }

    private static String version(String component) throws IOException {
        Path jar = component.equals("agent") ? ProjectPaths.agentJar() : ProjectPaths.hubJar();
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.getManifest().getMainAttributes().getValue("Implementation-Version");
        }
    }

    private static List<String> strings(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
