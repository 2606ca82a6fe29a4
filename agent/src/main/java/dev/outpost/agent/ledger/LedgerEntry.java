package dev.outpost.agent.ledger;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.outpost.protocol.chain.ChainedEntry;
import java.util.Arrays;
import java.util.List;

/**
 * One line of the agent's command ledger: a command {@code received} from the hub, {@code held} for
 * the customer's approval and {@code approved}, or what it {@code finished} with (a rejection or a
 * withdrawal finishes it as failed); chained to the line before it by {@code prevHash}.
 *
 * @param at when, as ISO-8601 UTC
 * @param action {@code apply} or {@code delete}
 * @param detail what the command asked (release, namespace, parameter names) or did (outcome, steps)
 */
@JsonPropertyOrder({"seq", "at", "event", "commandId", "deploymentId", "generation", "action", "detail", "prevHash",
    "hash"})
public record LedgerEntry(long seq, String at, String event, String commandId, String deploymentId, long generation,
        String action, String detail, String prevHash, String hash) implements ChainedEntry {

    /** The same entry carrying {@code sealedHash}. */
    LedgerEntry withHash(String sealedHash) {
        return new LedgerEntry(seq, at, event, commandId, deploymentId, generation, action, detail, prevHash, sealedHash);
    }

    @Override
    @JsonIgnore
    public List<String> hashedFields() {
        return Arrays.asList(at, event, commandId, deploymentId, Long.toString(generation), action, detail);
    }
}
