package dev.outpost.hub.usage;

import dev.outpost.hub.api.ApiException;
import dev.outpost.hub.api.Problem;
import dev.outpost.hub.auth.Caller;
import dev.outpost.hub.store.Database;
import io.micronaut.http.HttpStatus;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Answers the usage endpoints: checks their query parameters (each bad one is a 400 naming it),
 * limits tenants to their own usage, sums hourly aggregates into days and months exactly.
 */
@Singleton
public class UsageService {
    /** Default and largest page of raw records. */
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;
    /** Most hourly aggregates one summary may add up; a wider query must be narrowed. */
    public static final int MAX_HOURLY_ROWS = 100_000;
    /** Most agents listed. */
    public static final int MAX_AGENTS = 10_000;

    /** RFC 3339 / ISO-8601 with an offset ("Z" or "+01:00"), letters in either case. */
    private static final DateTimeFormatter INSTANT = new DateTimeFormatterBuilder().parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_INSTANT).toFormatter();

    private final Database db;
    private final UsageStore store;

    public UsageService(Database db, UsageStore store) {
        this.db = db;
        this.store = store;
    }

    /** Usage summed per period of {@code groupBy} ("hour" when absent). */
    public List<UsageViews.Period> summary(Caller caller, UsageQueryParams params, Optional<String> groupBy,
            Optional<String> format) {
        List<Problem.FieldError> errors = new ArrayList<>();
        UsageFilter filter = filter(caller, params, errors);
        Optional<UsageGrouping> grouping = groupBy.isEmpty() ? Optional.of(UsageGrouping.HOUR)
                : UsageGrouping.parse(groupBy.get());
        if (grouping.isEmpty()) {
            errors.add(new Problem.FieldError("groupBy", "must be hour, day or month"));
        }
        format.filter(f -> !f.equals("json") && !f.equals("csv"))
                .ifPresent(f -> errors.add(new Problem.FieldError("format", "must be json or csv")));
        throwIfAny(errors);
        List<UsagePeriod> hours = db.read(sql -> store.hourly(sql, filter, MAX_HOURLY_ROWS + 1));
        if (hours.size() > MAX_HOURLY_ROWS) {
            throw ApiException.invalid(List.of(new Problem.FieldError("from", "the query covers more than "
                    + MAX_HOURLY_ROWS + " hourly aggregates; narrow from and to, or filter by tenant or deployment")));
        }
        return group(hours, grouping.get()).stream().map(UsageViews.Period::of).toList();
    }

    /** A page of raw records in (window start, id) order, and the cursor of the next page if there is one. */
    public UsageViews.RecordPage records(Caller caller, UsageQueryParams params, Optional<String> limit,
            Optional<String> cursor) {
        List<Problem.FieldError> errors = new ArrayList<>();
        UsageFilter filter = filter(caller, params, errors);
        int size = DEFAULT_LIMIT;
        if (limit.isPresent()) {
            size = parseLimit(limit.get()).orElse(-1);
            if (size < 0) {
                errors.add(new Problem.FieldError("limit", "must be a whole number from 1 to " + MAX_LIMIT));
            }
        }
        Optional<UsageCursor> after = cursor.flatMap(UsageCursor::decode);
        if (cursor.isPresent() && after.isEmpty()) {
            errors.add(new Problem.FieldError("cursor", "must be a nextCursor this endpoint returned"));
        }
        throwIfAny(errors);
        int pageSize = size;
        List<StoredUsageRecord> rows = db.read(sql -> store.records(sql, filter, after, pageSize + 1));
        List<StoredUsageRecord> page = rows.size() > pageSize ? rows.subList(0, pageSize) : rows;
        String next = rows.size() > pageSize
                ? new UsageCursor(page.getLast().row().windowStart(), page.getLast().id()).encode() : null;
        return new UsageViews.RecordPage(page.stream().map(UsageViews.Record::of).toList(), next);
    }

    /** The agents that reported usage, with their spools and rejections. */
    public UsageViews.Agents agents(Caller caller, Optional<String> tenantId) {
        Optional<String> scope = caller.tenantFilter(tenantId);
        return new UsageViews.Agents(db.read(sql -> store.agents(sql, scope, MAX_AGENTS)).stream()
                .map(UsageViews.Agent::of).toList());
    }

    /** Sums hourly aggregates into periods, exactly, ordered by period, deployment and meter. */
    static List<UsagePeriod> group(List<UsagePeriod> hours, UsageGrouping grouping) {
        if (grouping == UsageGrouping.HOUR) {
            return hours;
        }
        record Key(Instant period, String deploymentId, String meter) {
        }
        Map<Key, UsagePeriod> sums = new LinkedHashMap<>();
        for (UsagePeriod h : hours) {
            Key key = new Key(grouping.periodOf(h.periodStart()), h.deploymentId(), h.meter());
            sums.merge(key, new UsagePeriod(h.tenantId(), h.environmentId(), h.deploymentId(), h.meter(), h.unit(),
                    key.period(), h.quantity(), h.records()), (a, b) -> new UsagePeriod(a.tenantId(), a.environmentId(),
                    a.deploymentId(), a.meter(), a.unit(), a.periodStart(), a.quantity().add(b.quantity()),
                    a.records() + b.records()));
        }
        return sums.values().stream().sorted(Comparator.comparing(UsagePeriod::periodStart)
                .thenComparing(UsagePeriod::deploymentId).thenComparing(UsagePeriod::meter)).toList();
    }

    private static UsageFilter filter(Caller caller, UsageQueryParams p, List<Problem.FieldError> errors) {
        Optional<Instant> from = instant("from", p.from(), errors);
        Optional<Instant> to = instant("to", p.to(), errors);
        if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
            errors.add(new Problem.FieldError("to", "must be later than from"));
        }
        return new UsageFilter(caller.tenantFilter(p.tenantId()), p.environmentId(), p.deploymentId(), p.meter(), from,
                to);
    }

    private static Optional<Instant> instant(String name, Optional<String> text, List<Problem.FieldError> errors) {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(INSTANT.parse(text.get(), Instant::from));
        } catch (DateTimeParseException | ArithmeticException e) {
            errors.add(new Problem.FieldError(name, "must be an ISO-8601 instant in UTC, e.g. 2026-12-01T00:00:00Z"));
            return Optional.empty();
        }
    }

    private static Optional<Integer> parseLimit(String text) {
        if (!text.matches("[0-9]{1,4}")) {
            return Optional.empty();
        }
        int value = Integer.parseInt(text);
        return value >= 1 && value <= MAX_LIMIT ? Optional.of(value) : Optional.empty();
    }

    private static void throwIfAny(List<Problem.FieldError> errors) {
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
    }
}
