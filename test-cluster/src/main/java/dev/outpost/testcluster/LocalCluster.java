package dev.outpost.testcluster;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a {@link KubeCluster} outside JUnit, for trying Outpost by hand ({@code ./dev cluster},
 * {@code ./dev demo}): starts it, writes its admin kubeconfig where asked, and keeps it up until
 * the process is told to stop (Ctrl-C, SIGTERM), when every component is stopped and its folder
 * deleted.
 *
 * <p>Usage: {@code LocalCluster [--kubeconfig FILE] [--nodes N]}. The kubeconfig appears at FILE
 * only once the cluster is ready (written under another name, then moved), so a script may wait for
 * it; it is deleted again on stop.
 */
public final class LocalCluster {
    private LocalCluster() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path kubeconfigCopy = null;
        int nodes = 2;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--kubeconfig" -> kubeconfigCopy = Path.of(require(args[i], value)).toAbsolutePath();
                case "--nodes" -> nodes = parseNodes(require(args[i], value));
                default -> usage("unknown argument " + args[i]);
            }
            i++;
        }
        KubeCluster cluster;
        try {
            cluster = KubeCluster.builder().nodes(nodes).start();
        } catch (RuntimeException e) {
            System.err.println("local cluster: did not start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Path kubeconfig = cluster.kubeconfig();
        if (kubeconfigCopy != null) {
            kubeconfig = publish(cluster.kubeconfig(), kubeconfigCopy);
            Path published = kubeconfigCopy;
            // Registered after the cluster's own hook; both run on stop, in no fixed order, which is fine.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(published), "local-cluster-kubeconfig"));
        }
        System.out.println("local cluster: ready at " + cluster.apiServerUrl() + " with " + nodes + " kwok nodes");
        System.out.println("local cluster: export KUBECONFIG=" + kubeconfig);
        System.out.println("local cluster: logs in " + cluster.workDir() + "; Ctrl-C stops it");
        System.out.flush();
        new CountDownLatch(1).await(); // until the JVM is told to stop; KubeCluster's shutdown hook cleans up
    }

    private static Path publish(Path source, Path target) {
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
            Files.deleteIfExists(temporary);
            // It holds the cluster admin's private key: readable by its owner only, from the start.
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            Files.write(temporary, Files.readAllBytes(source)); // into the file just made, keeping its mode
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            System.err.println("local cluster: cannot write the kubeconfig to " + target + ": " + e.getMessage());
            System.exit(1);
            return null;
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // Stopping anyway: a stale kubeconfig only points at a cluster that is gone.
        }
    }

    private static String require(String flag, String value) {
        if (value == null) {
            usage(flag + " needs a value");
        }
        return value;
    }

    private static int parseNodes(String value) {
        try {
            int nodes = Integer.parseInt(value);
            if (nodes >= 1 && nodes <= 20) {
                return nodes;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        usage("--nodes must be a number from 1 to 20: " + value);
        return 0;
    }

    private static void usage(String problem) {
        System.err.println("local cluster: " + problem + "\nusage: LocalCluster [--kubeconfig FILE] [--nodes N]");
        System.exit(2);
    }
}
