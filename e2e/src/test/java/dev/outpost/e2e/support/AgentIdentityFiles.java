package dev.outpost.e2e.support;

import dev.outpost.protocol.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

/** What an agent process holds on disk of its identity, read as a test sees it: cert.pem and ca.pem. */
public final class AgentIdentityFiles {
    private AgentIdentityFiles() {
    }

    /** The agent's client certificate now (it changes at each renewal). */
    public static X509Certificate certificate(Path agentState) {
        return Pem.parseCertificate(read(agentState.resolve("cert.pem")));
    }

    /** The CAs the agent trusts for the hub now (they change at CA rollover steps). */
    public static List<X509Certificate> trustedCas(Path agentState) {
        return Pem.parseCertificates(read(agentState.resolve("ca.pem")));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
