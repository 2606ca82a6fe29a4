package dev.outpost.hub.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.protocol.chain.HashChain;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The hash chain finds an edited, removed, replaced or cut-off entry, and passes an intact log. */
class AuditChainTest {
    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");

    private static List<AuditEntry> chain(int length) {
        List<AuditEntry> entries = new ArrayList<>();
        String previous = AuditChain.GENESIS;
        for (int seq = 1; seq <= length; seq++) {
            AuditEntry entry = AuditChain.sealed(new AuditEntry(seq, T0.plusSeconds(seq), "admin", "tok_1", "ten_1",
                    "127.0.0.1", "deployment.create", "deployment", "dep_" + seq, "release rel_1", previous, null));
            entries.add(entry);
            previous = entry.hash();
        }
        return entries;
    }

    private static HashChain.Verdict verify(List<AuditEntry> entries, long headSeq, String headHash) {
        HashChain.Verifier verifier = new HashChain.Verifier();
        for (AuditEntry entry : entries) {
            Optional<HashChain.Verdict> broken = verifier.accept(entry);
            if (broken.isPresent()) {
                return broken.get();
            }
        }
        return verifier.finish(headSeq, headHash);
    }

    private static HashChain.Verdict verify(List<AuditEntry> entries, List<AuditEntry> original) {
        return verify(entries, original.size(), original.getLast().hash());
    }

    @Test
    void anIntactChainIsValid() {
        List<AuditEntry> entries = chain(5);
        assertThat(verify(entries, entries)).isEqualTo(new HashChain.Verdict(true, 5, null, null));
        assertThat(verify(List.of(), 0, AuditChain.GENESIS).valid()).isTrue();
    }

    @Test
    void anEditedFieldIsFoundAtItsEntry() {
        List<AuditEntry> original = chain(5);
        List<AuditEntry> edited = new ArrayList<>(original);
        AuditEntry third = original.get(2);
        edited.set(2, new AuditEntry(third.seq(), third.at(), "tenant token 'intruder'", third.tokenId(), third.tenantId(),
                third.source(), third.action(), third.objectType(), third.objectId(), third.detail(), third.prevHash(),
                third.hash()));

        HashChain.Verdict verdict = verify(edited, original);

        assertThat(verdict.valid()).isFalse();
        assertThat(verdict.brokenAtSeq()).isEqualTo(3);
        assertThat(verdict.entries()).isEqualTo(2);
        assertThat(verdict.reason()).contains("entry 3 was changed");
    }

    @Test
    void aRemovedEntryIsFound() {
        List<AuditEntry> original = chain(5);
        List<AuditEntry> removed = new ArrayList<>(original);
        removed.remove(1);

        HashChain.Verdict verdict = verify(removed, original);

        assertThat(verdict.brokenAtSeq()).isEqualTo(2);
        assertThat(verdict.reason()).contains("entry 2 is missing");
    }

    @Test
    void anEntryReplacedWithAFreshHashBreaksTheNextOne() {
        List<AuditEntry> original = chain(4);
        List<AuditEntry> replaced = new ArrayList<>(original);
        AuditEntry second = original.get(1);
        replaced.set(1, AuditChain.sealed(new AuditEntry(2, second.at(), second.actor(), second.tokenId(),
                second.tenantId(), second.source(), "deployment.delete", second.objectType(), second.objectId(),
                second.detail(), second.prevHash(), null)));

        HashChain.Verdict verdict = verify(replaced, original);

        assertThat(verdict.brokenAtSeq()).isEqualTo(3);
        assertThat(verdict.reason()).contains("does not follow the entry before it");
    }

    @Test
    void entriesCutOffTheEndAreFoundAgainstTheHead() {
        List<AuditEntry> original = chain(4);

        HashChain.Verdict verdict = verify(original.subList(0, 3), original);

        assertThat(verdict.valid()).isFalse();
        assertThat(verdict.brokenAtSeq()).isEqualTo(4);
        assertThat(verdict.reason()).contains("entries were removed from the end");
    }

    @Test
    void fieldsCannotBeShiftedBetweenNeighboursWithTheSameHash() {
        AuditEntry one = new AuditEntry(1, T0, "ab", null, "c", null, "a", "t", "o", null, AuditChain.GENESIS, null);
        AuditEntry other = new AuditEntry(1, T0, "a", null, "bc", null, "a", "t", "o", null, AuditChain.GENESIS, null);
        AuditEntry empty = new AuditEntry(1, T0, "a", "", "bc", null, "a", "t", "o", null, AuditChain.GENESIS, null);

        assertThat(AuditChain.hash(one)).isNotEqualTo(AuditChain.hash(other));
        assertThat(AuditChain.hash(other)).isNotEqualTo(AuditChain.hash(empty));
    }
}
