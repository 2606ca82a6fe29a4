package dev.outpost.agent.usage;

import java.util.List;

/** One spooled batch: its sequence and its records, as written to its file. */
public record SpoolBatch(long sequence, List<SpooledRecord> records) {

    public SpoolBatch {
        records = List.copyOf(records);
    }
}
