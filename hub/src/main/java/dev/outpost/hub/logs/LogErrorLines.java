package dev.outpost.hub.logs;

import java.util.regex.Pattern;

/**
 * Which log lines look like errors to a person skimming them: a whole word error, fatal, panic,
 * critical, traceback or err, or a word ending in exception (NullPointerException), in any case.
 * The agent reads logs through the Kubernetes API, which merges stdout and stderr, so the stream
 * cannot tell; the words can, roughly, and "no errors" or "error_count=0" are not counted.
 */
public final class LogErrorLines {
    private static final Pattern ERROR_WORD = Pattern.compile(
            "(?i)(?<![\\p{L}\\p{N}_])(error|fatal|panic|critical|traceback|err|\\p{L}*exception)(?![\\p{L}\\p{N}_])");

    private LogErrorLines() {
    }

    /** Whether {@code text} looks like an error line. */
    public static boolean looksLikeError(String text) {
        return ERROR_WORD.matcher(text).find();
    }
}
