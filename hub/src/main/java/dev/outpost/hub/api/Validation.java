package dev.outpost.hub.api;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Collects every problem of a request before failing, so the caller can fix them all at once. */
public final class Validation {
    /** A Kubernetes DNS-1123 label: what names and namespaces must look like. */
    public static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    private final List<Problem.FieldError> errors = new ArrayList<>();

    /** Records an error for {@code field}. */
    public Validation error(String field, String message) {
        errors.add(new Problem.FieldError(field, message));
        return this;
    }

    /** Requires a non-blank value of at most {@code maxLength} characters; returns whether it is fine. */
    public boolean text(String field, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            error(field, "is required");
            return false;
        }
        if (value.length() > maxLength) {
            error(field, "must be at most " + maxLength + " characters");
            return false;
        }
        return true;
    }

    /** Requires a value matching {@code pattern}. */
    public void matches(String field, String value, Pattern pattern, String description) {
        if (text(field, value, 253) && !pattern.matcher(value).matches()) {
            error(field, "must be " + description);
        }
    }

    /** Throws a 400 listing every recorded error, if there are any. */
    public void throwIfInvalid() {
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
    }
}
