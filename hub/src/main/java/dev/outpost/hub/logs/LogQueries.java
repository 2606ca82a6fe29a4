package dev.outpost.hub.logs;

import dev.outpost.hub.api.Problem;
import dev.outpost.hub.auth.Caller;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The rules of the logs query parameters, pure: each bad one becomes a field error naming it. */
final class LogQueries {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    /** Longest `contains` text and `regex`: longer ones cost more than they narrow. */
    static final int MAX_TEXT_CHARS = 256;

    /** RFC 3339 / ISO-8601 with an offset ("Z" or "+01:00"), letters in either case, up to nanoseconds. */
    private static final DateTimeFormatter INSTANT = new DateTimeFormatterBuilder().parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_OFFSET_DATE_TIME).toFormatter();

    private LogQueries() {
    }

    /** The filter of the parameters, scoped to what the caller may see. */
    static LogFilter filter(Caller caller, LogQueryParams p, List<Problem.FieldError> errors) {
        Optional<Long> from = instant("from", p.from(), errors);
        Optional<Long> to = instant("to", p.to(), errors);
        if (from.isPresent() && to.isPresent() && from.get() >= to.get()) {
            errors.add(new Problem.FieldError("to", "must be later than from"));
        }
        text("contains", p.contains(), errors);
        text("regex", p.regex(), errors);
        if (p.contains().isPresent() && p.regex().isPresent()) {
            errors.add(new Problem.FieldError("regex", "give contains or regex, not both"));
        }
        p.regex().filter(r -> r.length() <= MAX_TEXT_CHARS).ifPresent(r -> regexProblem(r)
                .ifPresent(problem -> errors.add(new Problem.FieldError("regex", problem))));
        for (var named : List.of(new Named("tenantId", p.tenantId()), new Named("environmentId", p.environmentId()),
                new Named("deploymentId", p.deploymentId()), new Named("pod", p.pod()),
                new Named("container", p.container()))) {
            named.value().filter(String::isEmpty)
                    .ifPresent(v -> errors.add(new Problem.FieldError(named.name(), "must not be empty")));
        }
        return new LogFilter(caller.tenantFilter(p.tenantId()), p.environmentId(), p.deploymentId(), p.pod(),
                p.container(), from, to, p.contains(), p.regex());
    }

    private record Named(String name, Optional<String> value) {
    }

    /**
     * Why the regex cannot be used, or empty. It is checked with Java's syntax (H2's); PostgreSQL's
     * dialect differs in details, and what it refuses is reported the same way when the query runs.
     */
    static Optional<String> regexProblem(String regex) {
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            return Optional.of("is not a valid regular expression: " + e.getDescription() + " near index " + e.getIndex());
        }
        // Back-references defeat every index and can take exponential time; the logs rarely need them.
        if (Pattern.compile("\\\\[1-9]").matcher(regex).find()) {
            return Optional.of("must not use back-references (\\1 ...)");
        }
        return Optional.empty();
    }

    static int limit(Optional<String> text, List<Problem.FieldError> errors) {
        if (text.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        if (text.get().matches("[0-9]{1,4}")) {
            int value = Integer.parseInt(text.get());
            if (value >= 1 && value <= MAX_LIMIT) {
                return value;
            }
        }
        errors.add(new Problem.FieldError("limit", "must be a whole number from 1 to " + MAX_LIMIT));
        return DEFAULT_LIMIT;
    }

    static LogOrder order(Optional<String> text, List<Problem.FieldError> errors) {
        if (text.isEmpty()) {
            return LogOrder.NEWEST;
        }
        Optional<LogOrder> order = LogOrder.parse(text.get());
        if (order.isEmpty()) {
            errors.add(new Problem.FieldError("order", "must be newest or oldest"));
        }
        return order.orElse(LogOrder.NEWEST);
    }

    static Optional<LogCursor> cursor(Optional<String> text, LogOrder order, List<Problem.FieldError> errors) {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Optional<LogCursor> cursor = LogCursor.decode(text.get());
        if (cursor.isEmpty()) {
            errors.add(new Problem.FieldError("cursor", "must be a nextCursor this endpoint returned"));
        } else if (cursor.get().order() != order) {
            errors.add(new Problem.FieldError("cursor", "was returned for order=" + cursor.get().order().wireName()
                    + "; send the same order"));
            return Optional.empty();
        }
        return cursor;
    }

    static boolean follow(Optional<String> text, List<Problem.FieldError> errors) {
        if (text.isEmpty() || text.get().equals("false")) {
            return false;
        }
        if (!text.get().equals("true")) {
            errors.add(new Problem.FieldError("follow", "must be true or false"));
        }
        return true;
    }

    private static void text(String name, Optional<String> value, List<Problem.FieldError> errors) {
        value.ifPresent(v -> {
            if (v.isEmpty() || v.length() > MAX_TEXT_CHARS) {
                errors.add(new Problem.FieldError(name, "must have 1 to " + MAX_TEXT_CHARS + " characters"));
            } else if (v.indexOf('\0') >= 0) {
                errors.add(new Problem.FieldError(name, "must not contain NUL"));
            }
        });
    }

    private static Optional<Long> instant(String name, Optional<String> text, List<Problem.FieldError> errors) {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(LogViews.nanos(INSTANT.parse(text.get(), Instant::from)));
        } catch (DateTimeParseException | ArithmeticException e) {
            errors.add(new Problem.FieldError(name, "must be an RFC 3339 instant, e.g. 2026-12-01T00:00:00Z"));
            return Optional.empty();
        }
    }
}
