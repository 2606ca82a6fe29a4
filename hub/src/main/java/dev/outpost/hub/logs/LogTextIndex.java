package dev.outpost.hub.logs;

import dev.outpost.hub.store.Database;
import dev.outpost.hub.store.DatabaseKind;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PostConstruct;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On PostgreSQL, makes sure log_lines has a trigram GIN index on its text, so `contains` (ILIKE) and
 * `regex` (~) narrow to candidate lines by index. It is not a Flyway migration because the shared
 * migrations run on H2 too, and because creating the pg_trgm extension needs a privilege an operator
 * may not grant: without it the hub still works (those queries read the lines the other filters
 * select) and says so once. The index is built CONCURRENTLY on a thread of its own, so writes go on
 * and the hub starts at once even over a large table; IF NOT EXISTS makes every later start a no-op.
 */
@Context
public class LogTextIndex {
    static final String INDEX = "ix_log_lines_text_trgm";
    private static final Logger LOG = LoggerFactory.getLogger(LogTextIndex.class);

    private final Database db;
    private final DatabaseKind kind;
    private volatile boolean ready;

    public LogTextIndex(Database db, LogWrites writes) {
        this.db = db;
        this.kind = writes.kind();
    }

    @PostConstruct
    void start() {
        if (kind != DatabaseKind.POSTGRESQL) {
            return;
        }
        Thread.ofPlatform().name("log-text-index").daemon().start(this::ensure);
    }

    /** Whether the index is in place (always false on H2). */
    public boolean ready() {
        return ready;
    }

    void ensure() {
        try {
            // CREATE INDEX CONCURRENTLY cannot run inside a transaction: each statement commits alone.
            db.autoCommit(sql -> sql.update("create extension if not exists pg_trgm"));
            db.autoCommit(sql -> sql.update("create index concurrently if not exists " + INDEX
                    + " on log_lines using gin (text gin_trgm_ops)"));
            ready = true;
            LOG.debug("Log text index {} is in place", INDEX);
        } catch (RuntimeException e) {
            LOG.warn("No trigram index on log lines ({}); contains/regex queries read every line the other filters "
                    + "select. Create it as a superuser: create extension pg_trgm; create index {} on log_lines "
                    + "using gin (text gin_trgm_ops)", e.getMessage(), INDEX);
        }
    }
}
