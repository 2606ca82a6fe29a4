package dev.outpost.agent.logs;

/**
 * One line as read from the log stream, without its line break: at most the reader's cap of bytes,
 * {@code overflowed} when the line was longer and the rest was skipped.
 */
record RawLine(byte[] bytes, int length, boolean overflowed) {
}
