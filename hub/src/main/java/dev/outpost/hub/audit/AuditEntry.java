package dev.outpost.hub.audit;

import dev.outpost.protocol.chain.ChainedEntry;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * One change in the audit log: who ({@code actor}, the token behind it, from which {@code source}
 * address), what ({@code action} on {@code objectType}/{@code objectId}, with the ids before and after
 * in {@code detail}), when, for which tenant; chained to the entry before it by {@code prevHash}.
 */
public record AuditEntry(long seq, Instant at, String actor, String tokenId, String tenantId, String source,
        String action, String objectType, String objectId, String detail, String prevHash, String hash)
        implements ChainedEntry {

    /** The same entry carrying {@code sealedHash}. */
    public AuditEntry withHash(String sealedHash) {
        return new AuditEntry(seq, at, actor, tokenId, tenantId, source, action, objectType, objectId, detail, prevHash,
                sealedHash);
    }

    @Override
    public List<String> hashedFields() {
        return Arrays.asList(at == null ? null : at.toString(), actor, tokenId, tenantId, source, action, objectType,
                objectId, detail);
    }
}
