package dev.outpost.hub.pki;

import dev.outpost.protocol.CaFingerprint;
import dev.outpost.protocol.EcKeys;
import dev.outpost.protocol.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The hub's CA set in {@code <data-dir>/pki}, and the steps of a CA rollover on it. {@code ca.crt}
 * and {@code ca.key} are the CA that signs; {@code next-ca.*} a CA published but not yet signing
 * (after {@code prepare}); {@code previous-ca.*} the CA that signed before (after {@code activate}),
 * still trusted until {@code retire}. Retired keys move to {@code retired/}: secrets at rest sealed
 * with a key derived from one are still opened. Every file is written atomically; a step cut short is
 * finished by running it again.
 */
public final class CaFiles {
    static final Duration CA_LIFETIME = Duration.ofDays(3650);
    /** Back-dating of notBefore, so a peer whose clock is a little behind accepts a fresh certificate. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    static final String FIRST_CA_NAME = "Outpost hub CA";

    private CaFiles() {
    }

    /** A CA: its key and certificate. */
    public record Authority(PrivateKey key, X509Certificate certificate) {
        /** sha256:HEX of the certificate, as agents pin it. */
        public String fingerprint() {
            return CaFingerprint.of(certificate);
        }
    }

    /** Where a rollover stands. */
    public enum Phase {
        /** One CA signs and is trusted. */
        STEADY,
        /** A next CA is published (trusted) but the current one still signs. */
        PREPARED,
        /** The new CA signs; the previous one is still trusted. */
        ACTIVATED
    }

    /**
     * The CA set as stored: the signing CA, the others still trusted, and the keys of retired CAs
     * (for opening what was sealed with keys derived from them).
     */
    public record CaSet(Authority signing, Optional<Authority> next, Optional<Authority> previous,
            List<PrivateKey> retiredKeys) {
        /** What agents and the gateway trust: the signing CA first. */
        public List<X509Certificate> trusted() {
            List<X509Certificate> trusted = new ArrayList<>(List.of(signing.certificate()));
            next.ifPresent(a -> trusted.add(a.certificate()));
            previous.ifPresent(a -> trusted.add(a.certificate()));
            return List.copyOf(trusted);
        }

        public Phase phase() {
            return next.isPresent() ? Phase.PREPARED : previous.isPresent() ? Phase.ACTIVATED : Phase.STEADY;
        }
    }

    /** Whether {@code dir} holds a CA (or half of one). */
    static boolean exists(Path dir) {
        return Files.exists(dir.resolve("ca.key")) || Files.exists(dir.resolve("ca.crt"));
    }

    /** Creates the first CA in an empty {@code dir}. */
    static Authority create(Path dir, Clock clock) {
        PrivateFiles.createPrivateDirectory(dir);
        Authority first = newAuthority(FIRST_CA_NAME, clock);
        write(dir, "ca", first);
        return first;
    }

    /**
     * Reads the CA set; IllegalStateException naming what is wrong (half a CA, a key that does not
     * belong to its certificate, a rollover step cut short).
     */
    public static CaSet load(Path dir) {
        Authority signing = read(dir, "ca").orElseThrow(() -> new IllegalStateException("no CA in " + dir));
        Optional<Authority> next = read(dir, "next-ca");
        Optional<Authority> previous = read(dir, "previous-ca");
        if (next.isPresent() && previous.isPresent()) {
            throw new IllegalStateException(dir + " holds both next-ca and previous-ca: run `outpost-hub ca activate` "
                    + "again to finish the step that was cut short");
        }
        return new CaSet(signing, next, previous, retiredKeys(dir));
    }

    /** Publishes a new CA beside the signing one. */
    public static Authority prepare(Path dir, Clock clock) {
        CaSet set = load(dir);
        if (set.phase() != Phase.STEADY) {
            throw new IllegalStateException("a rollover is in progress (" + set.phase().name().toLowerCase()
                    + "): " + (set.phase() == Phase.PREPARED ? "activate" : "retire") + " it first");
        }
        String name = FIRST_CA_NAME + " " + clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Authority next = newAuthority(name, clock);
        write(dir, "next-ca", next);
        return next;
    }

    /** Makes the prepared CA the signing one; the one that signed so far stays trusted as previous-ca. */
    public static Authority activate(Path dir) {
        boolean nextCert = Files.exists(dir.resolve("next-ca.crt"));
        boolean nextKey = Files.exists(dir.resolve("next-ca.key"));
        if (!nextCert && !nextKey) {
            throw new IllegalStateException("no CA is prepared in " + dir + ": run `outpost-hub ca prepare` first");
        }
        if (!Files.exists(dir.resolve("previous-ca.crt"))) {
            if (nextCert != nextKey) {
                throw new IllegalStateException("half a next CA in " + dir + " (next-ca.crt and next-ca.key must both exist)");
            }
            Authority current = read(dir, "ca").orElseThrow(() -> new IllegalStateException("no CA in " + dir));
            write(dir, "previous-ca", current);
        }
        move(dir.resolve("next-ca.key"), dir.resolve("ca.key"));
        move(dir.resolve("next-ca.crt"), dir.resolve("ca.crt"));
        return load(dir).signing();
    }

    /** Stops trusting the previous CA; its key is kept in retired/ for opening old sealed secrets. */
    public static Authority retire(Path dir) {
        CaSet set = load(dir);
        Authority previous = set.previous().orElseThrow(() -> new IllegalStateException(
                "no previous CA to retire in " + dir + " (phase " + set.phase().name().toLowerCase() + ")"));
        Path retired = dir.resolve("retired");
        PrivateFiles.createPrivateDirectory(retired);
        String name = previous.fingerprint().replace("sha256:", "");
        PrivateFiles.writePublic(retired.resolve(name + ".crt"), Pem.certificate(previous.certificate()));
        PrivateFiles.writeSecret(retired.resolve(name + ".key"), Pem.privateKey(previous.key()));
        try {
            Files.deleteIfExists(dir.resolve("previous-ca.crt"));
            Files.deleteIfExists(dir.resolve("previous-ca.key"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove previous-ca in " + dir, e);
        }
        return previous;
    }

    /** A stamp of the files' sizes and times: a change means the set must be read again. */
    static String stamp(Path dir) {
        StringBuilder stamp = new StringBuilder();
        for (String name : List.of("ca.crt", "ca.key", "next-ca.crt", "next-ca.key", "previous-ca.crt",
                "previous-ca.key")) {
            Path file = dir.resolve(name);
            try {
                stamp.append(name).append(Files.exists(file)
                        ? ":" + Files.size(file) + "@" + Files.getLastModifiedTime(file).toMillis() : ":-").append(';');
            } catch (IOException e) {
                stamp.append(name).append(":?;");
            }
        }
        return stamp.toString();
    }

    private static Authority newAuthority(String name, Clock clock) {
        KeyPair pair = EcKeys.generateP256();
        Instant now = clock.instant();
        return new Authority(pair.getPrivate(), CertificateBuilder.selfSignedCa(name, pair.getPublic(), pair.getPrivate(),
                now.minus(CLOCK_SKEW), now.plus(CA_LIFETIME)));
    }

    private static void write(Path dir, String base, Authority authority) {
        PrivateFiles.writeSecret(dir.resolve(base + ".key"), Pem.privateKey(authority.key()));
        PrivateFiles.writePublic(dir.resolve(base + ".crt"), Pem.certificate(authority.certificate()));
    }

    private static Optional<Authority> read(Path dir, String base) {
        Path keyFile = dir.resolve(base + ".key");
        Path certFile = dir.resolve(base + ".crt");
        boolean key = Files.exists(keyFile);
        boolean cert = Files.exists(certFile);
        if (!key && !cert) {
            return Optional.empty();
        }
        if (key != cert) {
            throw new IllegalStateException("Half a CA in " + dir + ": " + base + ".key and " + base
                    + ".crt must both exist or both be absent" + (base.equals("ca") ? "" : " (a rollover step was cut "
                    + "short? run it again)"));
        }
        Authority authority = new Authority(Pem.parseEcPrivateKey(readText(keyFile)), Pem.parseCertificate(readText(certFile)));
        if (!belongTogether(authority)) {
            throw new IllegalStateException(keyFile + " is not the key of " + certFile
                    + (Files.exists(dir.resolve("next-ca.crt")) || Files.exists(dir.resolve("next-ca.key"))
                            ? " (run `outpost-hub ca activate` again to finish the step that was cut short)" : ""));
        }
        return Optional.of(authority);
    }

    private static List<PrivateKey> retiredKeys(Path dir) {
        Path retired = dir.resolve("retired");
        List<PrivateKey> keys = new ArrayList<>();
        if (!Files.isDirectory(retired)) {
            return keys;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(retired, "*.key")) {
            for (Path file : files) {
                keys.add(Pem.parseEcPrivateKey(readText(file)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + retired, e);
        }
        return keys;
    }

    private static boolean belongTogether(Authority authority) {
        try {
            byte[] probe = "outpost ca key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(authority.key());
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(authority.certificate().getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static void move(Path from, Path to) {
        if (!Files.exists(from)) {
            return;
        }
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + from + " to " + to, e);
        }
    }

    private static String readText(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
