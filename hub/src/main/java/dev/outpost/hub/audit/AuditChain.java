package dev.outpost.hub.audit;

import dev.outpost.protocol.chain.HashChain;

/** The audit log's entries on the shared {@link HashChain}: their hashes, and sealing a new one. */
public final class AuditChain {
    /** The "previous hash" of the first entry. */
    public static final String GENESIS = HashChain.GENESIS;

    private AuditChain() {
    }

    /** The hash {@code entry} must carry, given its fields and {@code prevHash}. */
    public static String hash(AuditEntry entry) {
        return HashChain.hash(entry);
    }

    /** {@code entry} with the hash its fields call for. */
    public static AuditEntry sealed(AuditEntry entry) {
        return entry.withHash(hash(entry));
    }
}
