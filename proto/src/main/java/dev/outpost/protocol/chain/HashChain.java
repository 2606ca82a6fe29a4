package dev.outpost.protocol.chain;

import dev.outpost.protocol.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A tamper-evident log as pure code, used by the hub's audit log and the agent's command ledger:
 * every entry's hash covers its own fields and the hash of the entry before it, so editing or
 * removing any entry (or cutting entries off the end, against a head kept apart) breaks the chain
 * from there on. Fields are length-prefixed, so no two different entries hash the same text.
 */
public final class HashChain {
    /** The "previous hash" of the first entry. */
    public static final String GENESIS = "0".repeat(64);

    private HashChain() {
    }

    /** The hash {@code entry} must carry, given its fields and its previous hash. */
    public static String hash(ChainedEntry entry) {
        StringBuilder text = new StringBuilder();
        text.append(entry.seq()).append('|');
        for (String field : entry.hashedFields()) {
            text.append(field == null ? -1 : field.length()).append(':').append(field == null ? "" : field).append('|');
        }
        text.append(entry.prevHash());
        return Sha256.hex(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** What a check of a whole chain found: valid, or the first entry that breaks it and why. */
    public record Verdict(boolean valid, long entries, Long brokenAtSeq, String reason) {
        static Verdict ok(long entries) {
            return new Verdict(true, entries, null, null);
        }

        static Verdict broken(long entries, long seq, String reason) {
            return new Verdict(false, entries, seq, reason);
        }
    }

    /** Checks entries one at a time, in sequence order, then against the chain's head. */
    public static final class Verifier {
        private long expectedSeq = 1;
        private String previousHash = GENESIS;
        private long checked;
        private Verdict broken;

        /** Checks the next entry; returns the verdict once one is broken (later entries are not looked at). */
        public Optional<Verdict> accept(ChainedEntry entry) {
            if (broken != null) {
                return Optional.of(broken);
            }
            if (entry.seq() != expectedSeq) {
                return fail(expectedSeq, "entry " + expectedSeq + " is missing (the next one is " + entry.seq() + ")");
            }
            if (!previousHash.equals(entry.prevHash())) {
                return fail(entry.seq(), "entry " + entry.seq() + " does not follow the entry before it (its previous "
                        + "hash differs): an entry before it was removed or replaced");
            }
            if (!hash(entry).equals(entry.hash())) {
                return fail(entry.seq(), "entry " + entry.seq() + " was changed after it was written (its hash "
                        + "does not match its fields)");
            }
            checked++;
            expectedSeq++;
            previousHash = entry.hash();
            return Optional.empty();
        }

        /** The verdict once every entry was accepted, given the head recorded last. */
        public Verdict finish(long headSeq, String headHash) {
            if (broken != null) {
                return broken;
            }
            if (headSeq > checked) {
                return Verdict.broken(checked, checked + 1, "the log ends at entry " + checked
                        + " but its head says " + headSeq + ": entries were removed from the end");
            }
            if (headSeq < checked || !headHash.equals(previousHash)) {
                return Verdict.broken(checked, checked, "entry " + checked + " is not the one the head recorded: "
                        + "the end of the log was rewritten");
            }
            return Verdict.ok(checked);
        }

        /** The verdict when no head is kept apart: every entry linked, nothing known about the end. */
        public Verdict finish() {
            return broken != null ? broken : Verdict.ok(checked);
        }

        /** The hash of the last entry accepted ({@link #GENESIS} before the first). */
        public String lastHash() {
            return previousHash;
        }

        private Optional<Verdict> fail(long seq, String reason) {
            broken = Verdict.broken(checked, seq, reason);
            return Optional.of(broken);
        }
    }
}
