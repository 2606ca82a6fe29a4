package dev.outpost.hub.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The audit log's hash chain, as pure code: every entry's hash covers its own fields and the hash of
 * the entry before it, so editing or removing any entry (or cutting entries off the end, against the
 * chain's head) breaks every hash from there on. Fields are length-prefixed so that no two different
 * entries hash the same text.
 */
public final class AuditChain {
    /** The "previous hash" of the first entry. */
    public static final String GENESIS = "0".repeat(64);

    private AuditChain() {
    }

    /** The hash {@code entry} must carry, given its fields and {@code prevHash}. */
    public static String hash(AuditEntry entry) {
        StringBuilder text = new StringBuilder();
        for (String field : new String[] {Long.toString(entry.seq()), entry.at().toString(), entry.actor(),
            entry.tokenId(), entry.tenantId(), entry.source(), entry.action(), entry.objectType(), entry.objectId(),
            entry.detail(), entry.prevHash()}) {
            String value = field == null ? "" : field;
            text.append(field == null ? -1 : value.length()).append(':').append(value).append('|');
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** {@code entry} with the hash its fields call for. */
    public static AuditEntry sealed(AuditEntry entry) {
        return new AuditEntry(entry.seq(), entry.at(), entry.actor(), entry.tokenId(), entry.tenantId(), entry.source(),
                entry.action(), entry.objectType(), entry.objectId(), entry.detail(), entry.prevHash(), hash(entry));
    }

    /** What a check of the whole chain found: valid, or the first entry that breaks it and why. */
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
        public Optional<Verdict> accept(AuditEntry entry) {
            if (broken != null) {
                return Optional.of(broken);
            }
            if (entry.seq() != expectedSeq) {
                return fail(expectedSeq, "entry " + expectedSeq + " is missing (the next one is " + entry.seq() + ")");
            }
            if (!entry.prevHash().equals(previousHash)) {
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

        /** The verdict once every entry was accepted, given the head the log recorded last. */
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

        private Optional<Verdict> fail(long seq, String reason) {
            broken = Verdict.broken(checked, seq, reason);
            return Optional.of(broken);
        }
    }
}
