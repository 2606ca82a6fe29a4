package dev.outpost.hub.pki;

import dev.outpost.protocol.CaFingerprint;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * {@code outpost-hub ca status|prepare|activate|retire [--pki-dir DIR]}: the steps of a CA rollover
 * on the hub's CA files (docs/configuration.md). A running hub takes each step in within
 * outpost.gateway.ca-reload-interval, without a restart.
 */
public final class CaCommandLine {
    private static final String USAGE = "usage: outpost-hub ca status|prepare|activate|retire [--pki-dir DIR] "
            + "(default $OUTPOST_DATA_DIR/pki, or ./outpost-data/pki)";

    private CaCommandLine() {
    }

    /** Runs {@code args} (without the leading "ca"); answers the exit code (0 done, 1 refused, 2 usage). */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err, Clock clock) {
        String verb = null;
        Path dir = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--pki-dir") && i + 1 < args.length) {
                dir = Path.of(args[++i]);
            } else if (verb == null && !args[i].startsWith("-")) {
                verb = args[i];
            } else {
                err.println("outpost-hub ca: unexpected '" + args[i] + "'; " + USAGE);
                return 2;
            }
        }
        if (verb == null) {
            err.println("outpost-hub ca: " + USAGE);
            return 2;
        }
        Path pki = dir != null ? dir : Path.of(Optional.ofNullable(env.get("OUTPOST_DATA_DIR")).filter(d -> !d.isBlank())
                .orElse("./outpost-data")).resolve("pki");
        if (!Files.exists(pki.resolve("ca.crt"))) {
            err.println("outpost-hub ca: no hub CA in " + pki + " (give --pki-dir)");
            return 2;
        }
        try {
            switch (verb) {
                case "status" -> status(CaFiles.load(pki), out);
                case "prepare" -> out.println("prepared: CA " + CaFiles.prepare(pki, clock).fingerprint() + " is "
                        + "published beside the signing one; hubs send it to every agent that is connected or connects. "
                        + "Run `outpost-hub ca activate` once every agent has been online since now (lastSeenAt)");
                case "activate" -> out.println("activated: CA " + CaFiles.activate(pki).fingerprint() + " signs the "
                        + "gateway's and agents' certificates; the previous one stays trusted. Agents move to it at their "
                        + "next renewal (two thirds into their certificate's lifetime); then run `outpost-hub ca retire`");
                case "retire" -> out.println("retired: CA " + CaFiles.retire(pki).fingerprint() + " is no longer "
                        + "trusted; its key stays in " + pki.resolve("retired") + " to open secrets sealed with it");
                default -> {
                    err.println("outpost-hub ca: unknown step '" + verb + "'; " + USAGE);
                    return 2;
                }
            }
            return 0;
        } catch (IllegalStateException | UncheckedIOException e) {
            err.println("outpost-hub ca: " + e.getMessage());
            return 1;
        }
    }

    private static void status(CaFiles.CaSet set, PrintStream out) {
        out.println("phase: " + set.phase().name().toLowerCase());
        out.println("signing: " + set.signing().fingerprint() + " (" + set.signing().certificate()
                .getSubjectX500Principal().getName() + ")");
        set.next().ifPresent(a -> out.println("next (trusted, not signing): " + a.fingerprint()));
        set.previous().ifPresent(a -> out.println("previous (trusted until retired): " + a.fingerprint()));
        out.println("trusted: " + set.trusted().stream().map(CaFingerprint::of).toList());
    }
}
