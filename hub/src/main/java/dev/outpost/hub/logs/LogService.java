package dev.outpost.hub.logs;

import dev.outpost.hub.api.ApiException;
import dev.outpost.hub.api.Problem;
import dev.outpost.hub.auth.Caller;
import dev.outpost.hub.store.Database;
import dev.outpost.hub.store.StoreException;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Answers the logs endpoints: checks their query parameters (each bad one is a 400 naming it),
 * limits tenants to their own lines, bounds every query's time on the database.
 */
@Singleton
public class LogService {
    /** Most sources listed. */
    static final int MAX_SOURCES = 10_000;
    /** A health summary reads the latest lines of this many of a deployment's pods, ... */
    static final int ERROR_SCAN_PODS = 20;
    /** ... this many lines of each, ... */
    static final int ERROR_SCAN_LINES_PER_POD = 200;
    /** ... and shows this many of those that look like errors. */
    static final int ERROR_LINES_SHOWN = 5;
    private static final String QUERY_CANCELED = "57014";
    private static final String INVALID_REGEX = "2201B";

    private final Database db;
    private final LogStore store;
    private final LogTails tails;
    private final LogsConfig config;

    public LogService(Database db, LogStore store, LogTails tails, LogsConfig config) {
        this.db = db;
        this.store = store;
        this.tails = tails;
        this.config = config;
    }

    /** A page of lines and the cursor of the next page if there is one. */
    public LogViews.Page page(Caller caller, LogQueryParams params, Optional<String> limit, Optional<String> order,
            Optional<String> cursor) {
        List<Problem.FieldError> errors = new ArrayList<>();
        LogFilter filter = LogQueries.filter(caller, params, errors);
        int size = LogQueries.limit(limit, errors);
        LogOrder sort = LogQueries.order(order, errors);
        Optional<LogCursor> after = LogQueries.cursor(cursor, sort, errors);
        throwIfAny(errors);
        List<StoredLogLine> rows = bounded(filter, () -> timeLimitedRead(sql -> store.page(sql, filter, sort, after,
                size + 1)));
        List<StoredLogLine> page = rows.size() > size ? rows.subList(0, size) : rows;
        String next = rows.size() > size ? new LogCursor(sort, page.getLast().timeNs(), page.getLast().id()).encode() : null;
        return new LogViews.Page(page.stream().map(LogViews.Line::of).toList(), next);
    }

    /** A live tail of the lines matching the parameters stored from now on (limit, order and cursor do not apply). */
    public LogTail follow(Caller caller, LogQueryParams params, Optional<String> limit, Optional<String> order,
            Optional<String> cursor) {
        List<Problem.FieldError> errors = new ArrayList<>();
        LogFilter filter = LogQueries.filter(caller, params, errors);
        LogQueries.limit(limit, errors);
        LogQueries.order(order, errors);
        if (cursor.isPresent()) {
            errors.add(new Problem.FieldError("cursor", "does not apply to follow=true (a tail starts now)"));
        }
        throwIfAny(errors);
        if (filter.regex().isPresent()) {
            // Checked once on the database, so PostgreSQL's dialect refuses it here rather than mid-stream.
            bounded(filter, () -> timeLimitedRead(sql -> store.newer(sql, filter, Long.MAX_VALUE - 1, 1)));
        }
        return tails.open(filter, caller.toString());
    }

    /** The sources of lines the caller may see, with what was stored and dropped of each. */
    public LogViews.Sources sources(Caller caller, Optional<String> tenantId, Optional<String> environmentId,
            Optional<String> deploymentId) {
        List<Problem.FieldError> errors = new ArrayList<>();
        tenantId.filter(String::isEmpty).ifPresent(v -> errors.add(new Problem.FieldError("tenantId", "must not be empty")));
        environmentId.filter(String::isEmpty)
                .ifPresent(v -> errors.add(new Problem.FieldError("environmentId", "must not be empty")));
        deploymentId.filter(String::isEmpty)
                .ifPresent(v -> errors.add(new Problem.FieldError("deploymentId", "must not be empty")));
        throwIfAny(errors);
        Optional<String> scope = caller.tenantFilter(tenantId);
        return new LogViews.Sources(db.read(sql -> store.sources(sql, scope, environmentId, deploymentId, MAX_SOURCES))
                .stream().map(LogViews.Source::of).toList());
    }

    /**
     * The lines of deployment {@code deploymentId} since {@code since} that look like errors, newest
     * first: the latest lines of its most recently logging pods, bounded (a health summary must stay
     * cheap on a chatty deployment). The caller has checked that the deployment is theirs.
     */
    public LogViews.RecentErrors recentErrors(String deploymentId, Instant since) {
        long sinceNs = LogViews.nanos(since);
        return timeLimitedRead(sql -> {
            List<String> pods = store.podsWithLinesSince(sql, deploymentId, sinceNs, ERROR_SCAN_PODS + 1);
            boolean more = pods.size() > ERROR_SCAN_PODS;
            List<StoredLogLine> read = new ArrayList<>();
            for (String pod : first(pods, ERROR_SCAN_PODS)) {
                LogFilter filter = new LogFilter(Optional.empty(), Optional.empty(), Optional.of(deploymentId),
                        Optional.of(pod), Optional.empty(), Optional.of(sinceNs), Optional.empty(), Optional.empty(),
                        Optional.empty());
                List<StoredLogLine> lines = store.page(sql, filter, LogOrder.NEWEST, Optional.empty(),
                        ERROR_SCAN_LINES_PER_POD + 1);
                more |= lines.size() > ERROR_SCAN_LINES_PER_POD;
                read.addAll(first(lines, ERROR_SCAN_LINES_PER_POD));
            }
            List<StoredLogLine> errors = read.stream().filter(l -> LogErrorLines.looksLikeError(l.text()))
                    .sorted(Comparator.comparingLong(StoredLogLine::timeNs).thenComparingLong(StoredLogLine::id)
                            .reversed())
                    .toList();
            return new LogViews.RecentErrors(since, read.size(), more, errors.size(),
                    first(errors, ERROR_LINES_SHOWN).stream().map(LogViews.Line::of).toList());
        });
    }

    /** A read whose statements are bounded by outpost.logs.query-timeout. */
    private <T> T timeLimitedRead(Database.Work<T> work) {
        return db.read(sql -> store.timeLimited(sql, config.getQueryTimeout(), work));
    }

    private static <T> List<T> first(List<T> list, int max) {
        return list.subList(0, Math.min(list.size(), max));
    }

    /** Runs a read, turning a cancelled statement or a regex the database refuses into a 400 naming why. */
    private <T> T bounded(LogFilter filter, java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (StoreException e) {
            String state = e.getCause() instanceof SQLException sqlError ? sqlError.getSQLState() : null;
            if (INVALID_REGEX.equals(state)) {
                throw ApiException.invalid(List.of(new Problem.FieldError("regex",
                        "is not a regular expression the database accepts")));
            }
            if (QUERY_CANCELED.equals(state)) {
                throw ApiException.invalid(List.of(new Problem.FieldError(filter.regex().isPresent() ? "regex" : "from",
                        "the query ran longer than " + config.getQueryTimeout().toMillis()
                                + " ms (outpost.logs.query-timeout); narrow from and to, filter by deployment or pod, "
                                + "or simplify the regex")));
            }
            throw e;
        }
    }

    private static void throwIfAny(List<Problem.FieldError> errors) {
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
    }
}
