package dev.outpost.agent.identity;

import dev.outpost.protocol.AgentIdentity;
import dev.outpost.protocol.Pem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent's identity in its state folder: key.pem (0600), cert.pem, ca.pem and identity.json.
 * identity.json is written last, so its presence means a complete, successful enrolment; renewal.pem
 * exists only while a renewed certificate is being put in place.
 */
public final class IdentityFiles {
    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\"\\s*:\\s*\"([^\"]*)\"");

    private final Path dir;

    public IdentityFiles(Path stateDir) {
        this.dir = stateDir;
    }

    public Path keyFile() {
        return dir.resolve("key.pem");
    }

    public Path identityFile() {
        return dir.resolve("identity.json");
    }

    /**
     * What an operator does to give the agent a new identity (after its certificate expired unrenewed or
     * the hub revoked it). Only identity.json must go: a new enrolment replaces the other identity files, and
     * the inventories and command results in the folder are kept.
     */
    public String howToReEnrol() {
        return "delete " + identityFile() + ", then restart the agent with --join-token (OUTPOST_JOIN_TOKEN) and "
                + "--ca-hash (OUTPOST_CA_HASH) from the hub";
    }

    /** Whether the agent has enrolled before. */
    public boolean exists() {
        return Files.exists(identityFile());
    }

    /** Stores a successful enrolment; identity.json goes last. */
    public void save(AgentCredentials credentials) throws IOException {
        OwnerOnlyFiles.createDirectory(dir);
        OwnerOnlyFiles.write(keyFile(), Pem.privateKey(credentials.key()));
        OwnerOnlyFiles.write(dir.resolve("cert.pem"), Pem.certificate(credentials.certificate()));
        OwnerOnlyFiles.write(dir.resolve("ca.pem"), Pem.certificates(credentials.hubCa()));
        AgentIdentity id = credentials.identity();
        OwnerOnlyFiles.write(identityFile(), "{\n  \"tenantId\": \"" + id.tenantId() + "\",\n  \"environmentId\": \""
                + id.environmentId() + "\",\n  \"agentId\": \"" + id.agentId() + "\"\n}\n");
    }

    /**
     * Stores a renewed key and certificate (and the CA bundle that came with them) for the same identity.
     * They go first into one file, renewal.pem, which {@link #load} finishes moving into key.pem, cert.pem
     * and ca.pem should the agent stop half-way: the key and certificate on disk always belong together.
     */
    public void saveRenewal(AgentCredentials renewed) throws IOException {
        OwnerOnlyFiles.write(renewalFile(), Pem.privateKey(renewed.key()) + Pem.certificate(renewed.certificate())
                + Pem.certificates(renewed.hubCa()));
        finishRenewal();
    }

    /** Stores the CAs the agent trusts for the hub (a CA rollover step the hub sent), replacing ca.pem atomically. */
    public void saveTrust(List<X509Certificate> bundle) throws IOException {
        OwnerOnlyFiles.write(dir.resolve("ca.pem"), Pem.certificates(bundle));
    }

    private Path renewalFile() {
        return dir.resolve("renewal.pem");
    }

    /** Moves a stored renewal into place, if there is one; a renewal file that cannot be read is left alone. */
    private void finishRenewal() throws IOException {
        if (!Files.exists(renewalFile())) {
            return;
        }
        String pem = Files.readString(renewalFile(), StandardCharsets.US_ASCII);
        PrivateKey key = Pem.parseEcPrivateKey(pem);
        List<X509Certificate> certificates = Pem.parseCertificates(pem);
        if (certificates.size() < 2) {
            throw new IllegalArgumentException(renewalFile() + " holds no CA certificate");
        }
        OwnerOnlyFiles.write(keyFile(), Pem.privateKey(key));
        OwnerOnlyFiles.write(dir.resolve("cert.pem"), Pem.certificate(certificates.getFirst()));
        OwnerOnlyFiles.write(dir.resolve("ca.pem"), Pem.certificates(certificates.subList(1, certificates.size())));
        Files.delete(renewalFile());
    }

    /** Reads the stored identity; IllegalStateException names a missing or inconsistent file. */
    public AgentCredentials load() {
        try {
            finishRenewal();
            String json = Files.readString(identityFile(), StandardCharsets.UTF_8);
            AgentIdentity identity = new AgentIdentity(field(json, "tenantId"), field(json, "environmentId"),
                    field(json, "agentId"));
            PrivateKey key = Pem.parseEcPrivateKey(Files.readString(keyFile(), StandardCharsets.US_ASCII));
            X509Certificate certificate = Pem.parseCertificate(Files.readString(dir.resolve("cert.pem"), StandardCharsets.US_ASCII));
            List<X509Certificate> ca = Pem.parseCertificates(Files.readString(dir.resolve("ca.pem"), StandardCharsets.US_ASCII));
            if (!identity.isNamedIn(certificate)) {
                throw new IllegalStateException("cert.pem does not belong to " + identity + " in identity.json");
            }
            return new AgentCredentials(identity, key, certificate, ca);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("Cannot read the agent identity in " + dir + ": " + e.getMessage()
                    + " (delete the folder and enrol again with a new join token)", e);
        }
    }

    private static String field(String json, String name) {
        Matcher m = FIELD.matcher(json);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                return m.group(2);
            }
        }
        throw new IllegalArgumentException("identity.json has no " + name);
    }
}
