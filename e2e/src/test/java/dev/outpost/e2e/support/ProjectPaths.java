package dev.outpost.e2e.support;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the built hub and agent jars are, and which java runs them (the one running the tests). */
public final class ProjectPaths {
    private ProjectPaths() {
    }

    /** The repository root: OUTPOST_PROJECT_ROOT (set by the build) or the nearest parent with a root pom. */
    public static Path root() {
        String fromEnv = System.getenv("OUTPOST_PROJECT_ROOT");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv).toAbsolutePath();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("e2e/cluster/build.sh"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the Outpost repository root from " + Path.of("").toAbsolutePath());
    }

    /** hub/target/outpost-hub.jar, which must have been packaged. */
    public static Path hubJar() {
        return existing(root().resolve("hub/target/outpost-hub.jar"));
    }

    /** agent/target/outpost-agent.jar, which must have been packaged. */
    public static Path agentJar() {
        return existing(root().resolve("agent/target/outpost-agent.jar"));
    }

    /** The java launcher of the JVM running the tests, so children run on the same JDK. */
    public static String java() {
        return ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("cannot tell which java runs the tests"));
    }

    private static Path existing(Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package it first (./dev build, or ./mvnw verify from the root)");
        }
        return jar;
    }
}
