package dev.outpost.testcluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes self-contained kubeconfig files (all certificates inline) for the test cluster. */
public final class Kubeconfig {

    private static final String CLUSTER = "outpost-test";

    private Kubeconfig() {
    }

    /** A kubeconfig authenticating with a client certificate. */
    public static String withClientCertificate(String server, String caPem, String user, String certPem, String keyPem) {
        return render(server, caPem, user, "default",
                "    client-certificate-data: " + Pem.base64(certPem) + "\n"
                        + "    client-key-data: " + Pem.base64(keyPem) + "\n");
    }

    /** A kubeconfig authenticating with a bearer token, its context defaulting to {@code namespace}. */
    public static String withToken(String server, String caPem, String user, String token, String namespace) {
        return render(server, caPem, user, namespace, "    token: " + token + "\n");
    }

    /** Writes {@code content} to {@code file} readable only by its owner (it holds credentials). */
    public static Path write(Path file, String content) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, content, StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // Not a POSIX file system: the file stays with default permissions.
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write kubeconfig " + file, e);
        }
    }

    private static String render(String server, String caPem, String user, String namespace, String credentials) {
        // Names are quoted: a ServiceAccount user name contains colons.
        return "apiVersion: v1\n"
                + "kind: Config\n"
                + "clusters:\n"
                + "- name: " + CLUSTER + "\n"
                + "  cluster:\n"
                + "    server: " + server + "\n"
                + "    certificate-authority-data: " + Pem.base64(caPem) + "\n"
                + "users:\n"
                + "- name: \"" + user + "\"\n"
                + "  user:\n"
                + credentials
                + "contexts:\n"
                + "- name: " + CLUSTER + "\n"
                + "  context:\n"
                + "    cluster: " + CLUSTER + "\n"
                + "    user: \"" + user + "\"\n"
                + "    namespace: " + namespace + "\n"
                + "current-context: " + CLUSTER + "\n";
    }
}
