package dev.outpost.agent.usage.custom;

import java.math.BigDecimal;

/**
 * A counter's value on one pod at the last scrape, and the pod's container restarts then: the next
 * scrape is billed the increase from here. Kept in the usage spool's state, written in the same file
 * write as the round that measured it, so a round is never billed twice nor its baseline lost.
 */
public record CounterBaseline(String value, long restarts) {

    /** The value as a decimal. */
    public BigDecimal decimal() {
        return new BigDecimal(value);
    }

    /** The baseline for a scraped {@code value}. */
    public static CounterBaseline of(BigDecimal value, long restarts) {
        return new CounterBaseline(value.toPlainString(), restarts);
    }
}
