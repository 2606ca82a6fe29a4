package dev.outpost.e2e.telemetry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the agent's --usage-journal: one line per usage record the agent produced. */
final class UsageJournal {
    private UsageJournal() {
    }

    /** One produced record, as the journal states it. */
    record Produced(String key, String deploymentId, String meter, long windowStartMs, long windowEndMs,
                    BigDecimal quantity) {
    }

    /** Every complete line of the journal (a line still being written by a running agent is left out). */
    static List<Produced> read(Path journal) {
        String text;
        try {
            text = Files.readString(journal, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Produced> produced = new ArrayList<>();
        int end = text.lastIndexOf('\n');
        if (end < 0) {
            return produced;
        }
        for (String line : text.substring(0, end).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split(" ");
            if (f.length != 6) {
                throw new IllegalStateException("unexpected journal line: " + line);
            }
            produced.add(new Produced(f[0], f[1], f[2], Long.parseLong(f[3]), Long.parseLong(f[4]), new BigDecimal(f[5])));
        }
        return produced;
    }
}
