package dev.outpost.agent.logs;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides secrets in log text: every occurrence of a known secret value (of at least
 * {@link #MIN_SECRET_CHARS} characters: shorter ones would mask ordinary words) and every match of
 * the configured patterns becomes {@value #MASK}. Never logs what it masks.
 */
public final class SecretMask {
    /** What a masked value is replaced with. */
    public static final String MASK = "****";
    /** Shorter secret values are not masked: "1", "on" or "true" would hide half of every log. */
    public static final int MIN_SECRET_CHARS = 4;
    /** Masks nothing. */
    public static final SecretMask NONE = new SecretMask(List.of(), List.of());

    private final List<String> values;
    private final List<Pattern> patterns;

    /** Longer values first: a value containing another is masked whole, not around the shorter one. */
    public SecretMask(Collection<String> secretValues, List<Pattern> patterns) {
        this.values = secretValues.stream().filter(value -> value.length() >= MIN_SECRET_CHARS).distinct()
                .sorted(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()))
                .toList();
        this.patterns = List.copyOf(patterns);
    }

    /** The same patterns with other secret values. */
    public SecretMask withSecrets(Collection<String> secretValues) {
        return new SecretMask(secretValues, patterns);
    }

    public String mask(String text) {
        String masked = text;
        for (String value : values) {
            if (masked.contains(value)) {
                masked = masked.replace(value, MASK);
            }
        }
        for (Pattern pattern : patterns) {
            Matcher matcher = pattern.matcher(masked);
            if (matcher.find()) {
                masked = matcher.replaceAll(MASK);
            }
        }
        return masked;
    }

    /** How many secret values it masks (for the log: the count, never the values). */
    public int secretCount() {
        return values.size();
    }
}
