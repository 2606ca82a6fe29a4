package dev.outpost.agent.infra;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the test provider answers for one item, as written in its file: {@code succeed},
 * {@code succeed after N seconds} or {@code fail: <message>}.
 */
record TestBehaviour(boolean succeeds, int delaySeconds, String failure) {
    private static final Pattern AFTER = Pattern.compile("succeed after (\\d{1,4}) seconds?");
    private static final Pattern FAIL = Pattern.compile("fail(?::\\s*(.*))?", Pattern.DOTALL);
    static final int MAX_DELAY_SECONDS = 3600;

    /** @throws IllegalArgumentException naming what is wrong with {@code text} */
    static TestBehaviour parse(String text) {
        String behaviour = text == null ? "" : text.trim();
        if (behaviour.equals("succeed")) {
            return new TestBehaviour(true, 0, "");
        }
        Matcher after = AFTER.matcher(behaviour);
        if (after.matches()) {
            int seconds = Integer.parseInt(after.group(1));
            if (seconds > MAX_DELAY_SECONDS) {
                throw new IllegalArgumentException("'" + behaviour + "': at most " + MAX_DELAY_SECONDS + " seconds");
            }
            return new TestBehaviour(true, seconds, "");
        }
        Matcher fail = FAIL.matcher(behaviour);
        if (fail.matches()) {
            String message = fail.group(1) == null || fail.group(1).isBlank() ? "the test provider was told to fail"
                    : fail.group(1).trim();
            return new TestBehaviour(false, 0, message);
        }
        throw new IllegalArgumentException("'" + behaviour + "' is none of: succeed, succeed after N seconds, fail: MESSAGE");
    }

    @Override
    public String toString() {
        return succeeds ? (delaySeconds == 0 ? "succeed" : "succeed after " + delaySeconds + " seconds") : "fail: " + failure;
    }
}
