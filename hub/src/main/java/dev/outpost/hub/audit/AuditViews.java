package dev.outpost.hub.audit;

import dev.outpost.protocol.chain.HashChain;
import java.time.Instant;

/** What the audit API answers (REST DTOs, apart from {@link AuditEntry}). */
public final class AuditViews {
    private AuditViews() {
    }

    /** One entry as the API shows it. */
    public record Entry(long seq, Instant at, String actor, String tokenId, String tenantId, String source,
            String action, String objectType, String objectId, String detail, String prevHash, String hash) {
        static Entry of(AuditEntry entry) {
            return new Entry(entry.seq(), entry.at(), entry.actor(), entry.tokenId(), entry.tenantId(), entry.source(),
                    entry.action(), entry.objectType(), entry.objectId(), entry.detail(), entry.prevHash(), entry.hash());
        }
    }

    /** The result of {@code GET /api/v1/audit/verify}. */
    public record Verification(boolean valid, long entriesChecked, Long brokenAtSeq, String reason) {
        static Verification of(HashChain.Verdict verdict) {
            return new Verification(verdict.valid(), verdict.entries(), verdict.brokenAtSeq(), verdict.reason());
        }
    }
}
