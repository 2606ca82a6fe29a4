package dev.outpost.agent.usage.custom;

/** How a declared meter turns scraped samples into a window's quantity. */
public enum MeterKind {
    /** A monotonic counter: the window is billed its increase, a reset (restart) counted from 0. */
    COUNTER,
    /** A gauge: the window is billed the value sampled at its end. */
    GAUGE
}
