package dev.outpost.agent.ledger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;

/** Command ledgers for tests: a real one in a test's directory. */
public final class TestLedgers {
    private TestLedgers() {
    }

    /** The ledger file {@code command-ledger.jsonl} in {@code dir}, opened. */
    public static CommandLedger in(Path dir) {
        try {
            return CommandLedger.open(dir.resolve("command-ledger.jsonl"), Clock.systemUTC());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
