package dev.outpost.hub.api;

import dev.outpost.protocol.AgentMessageRules;
import dev.outpost.protocol.text.FreeText;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Collects every problem of a request before failing, so the caller can fix them all at once, and is
 * the one place where the REST API applies the {@link FreeText} rule to names and short free text.
 * Fields are reported as JSON pointers ("/name", "/parameters/replicas"): a plain field name is taken
 * as a top-level field.
 */
public final class Validation {
    /** A Kubernetes DNS-1123 label: what names and namespaces must look like. */
    public static final Pattern DNS_LABEL = AgentMessageRules.DNS_LABEL;
    /** Longest DNS-1123 label. */
    public static final int DNS_LABEL_MAX = 63;
    /** Longest id the hub issues (the id columns' width). */
    public static final int ID_MAX = 64;

    private final List<Problem.FieldError> errors = new ArrayList<>();

    /** Records an error for {@code field}: a top-level field name or a JSON pointer. */
    public Validation error(String field, String message) {
        errors.add(new Problem.FieldError(field.startsWith("/") ? field : RequestBinder.pointer("", field), message));
        return this;
    }

    /**
     * Checks a required name or short free text against the {@link FreeText} rule with at most
     * {@code maxCodePoints} characters, on its NFC form; returns that form (what to store), or null
     * after recording the problem.
     */
    public String name(String field, String value, int maxCodePoints) {
        String normalized = value == null ? null : FreeText.normalize(value);
        Optional<String> problem = FreeText.problem(normalized, maxCodePoints);
        if (problem.isPresent()) {
            error(field, problem.get());
            return null;
        }
        return normalized;
    }

    /** As {@link #name}; returns whether the value is fine. */
    public boolean text(String field, String value, int maxCodePoints) {
        return name(field, value, maxCodePoints) != null;
    }

    /** Requires a value that passes {@link #name} and matches {@code pattern}; returns it, or null if invalid. */
    public String matches(String field, String value, Pattern pattern, int maxCodePoints, String description) {
        String checked = name(field, value, maxCodePoints);
        if (checked != null && !pattern.matcher(checked).matches()) {
            error(field, "must be " + description);
            return null;
        }
        return checked;
    }

    /** Requires a DNS-1123 label (names and namespaces of Kubernetes objects); returns it, or null if invalid. */
    public String dnsLabel(String field, String value) {
        return matches(field, value, DNS_LABEL, DNS_LABEL_MAX, "a DNS-1123 label (lower-case letters, digits, '-')");
    }

    /** Throws a 400 listing every recorded error, if there are any. */
    public void throwIfInvalid() {
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
    }
}
