package dev.outpost.agent.logs;

/**
 * A log line ready to buffer: its position, its text (masked, valid UTF-8, within the line limit)
 * and the text's size in UTF-8 bytes.
 */
public record ParsedLine(LinePosition position, String text, boolean truncated, int textBytes) {
}
