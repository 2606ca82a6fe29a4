package dev.outpost.protocol.chain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The shared chain: intact logs pass; an edit, a removal or a cut-off end is named at its entry. */
class HashChainTest {
    record Entry(long seq, List<String> hashedFields, String prevHash, String hash) implements ChainedEntry {
    }

    private static List<Entry> chain(int count) {
        List<Entry> entries = new ArrayList<>();
        String previous = HashChain.GENESIS;
        for (long seq = 1; seq <= count; seq++) {
            Entry unsealed = new Entry(seq, List.of("event " + seq, "detail"), previous, null);
            Entry entry = new Entry(seq, unsealed.hashedFields(), previous, HashChain.hash(unsealed));
            entries.add(entry);
            previous = entry.hash();
        }
        return entries;
    }

    private static HashChain.Verdict verify(List<Entry> entries, Entry head) {
        HashChain.Verifier verifier = new HashChain.Verifier();
        for (Entry entry : entries) {
            Optional<HashChain.Verdict> broken = verifier.accept(entry);
            if (broken.isPresent()) {
                return broken.get();
            }
        }
        return head == null ? verifier.finish() : verifier.finish(head.seq(), head.hash());
    }

    @Test
    void anIntactChainIsValid() {
        List<Entry> entries = chain(4);
        assertThat(verify(entries, entries.getLast())).isEqualTo(new HashChain.Verdict(true, 4, null, null));
        assertThat(verify(List.of(), null).valid()).isTrue();
    }

    @Test
    void anEditedFieldIsFoundAtItsEntry() {
        List<Entry> entries = chain(4);
        Entry second = entries.get(1);
        entries.set(1, new Entry(2, List.of("event 2", "edited"), second.prevHash(), second.hash()));

        HashChain.Verdict verdict = verify(entries, null);
        assertThat(verdict.brokenAtSeq()).isEqualTo(2L);
        assertThat(verdict.reason()).isEqualTo("entry 2 was changed after it was written (its hash does not match its fields)");
    }

    @Test
    void aRemovedOrCutOffEntryIsFound() {
        List<Entry> entries = chain(4);
        List<Entry> removed = new ArrayList<>(entries);
        removed.remove(2);
        assertThat(verify(removed, null).reason()).isEqualTo("entry 3 is missing (the next one is 4)");
        assertThat(verify(entries.subList(0, 3), entries.getLast()).reason())
                .isEqualTo("the log ends at entry 3 but its head says 4: entries were removed from the end");
    }

    @Test
    void fieldsCannotBeShiftedBetweenNeighbours() {
        Entry one = new Entry(1, List.of("ab", "c"), HashChain.GENESIS, null);
        Entry other = new Entry(1, List.of("a", "bc"), HashChain.GENESIS, null);
        Entry withNull = new Entry(1, java.util.Arrays.asList("a", null), HashChain.GENESIS, null);
        Entry withEmpty = new Entry(1, List.of("a", ""), HashChain.GENESIS, null);
        assertThat(HashChain.hash(one)).isNotEqualTo(HashChain.hash(other));
        assertThat(HashChain.hash(withNull)).isNotEqualTo(HashChain.hash(withEmpty));
    }
}
