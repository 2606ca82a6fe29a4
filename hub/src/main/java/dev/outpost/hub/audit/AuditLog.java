package dev.outpost.hub.audit;

import dev.outpost.hub.auth.Caller;
import dev.outpost.hub.store.Database;
import dev.outpost.hub.store.Sql;
import dev.outpost.protocol.chain.HashChain;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The append-only, hash-chained audit log in the hub's database. Services record each change with
 * {@link #record} inside the transaction that makes it, so a change and its entry commit together or
 * not at all; the chain's head row is locked for that, so replicas sharing the database append one at
 * a time in one order. Record last in a transaction: the head lock is then held only until commit.
 */
@Singleton
public class AuditLog {
    private static final int VERIFY_PAGE = 1000;
    private static final String COLUMNS =
            "seq, at, actor, token_id, tenant_id, source, action, object_type, object_id, detail, prev_hash, hash";

    private final Database db;
    private final Clock clock;

    public AuditLog(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * What changed: {@code action} (e.g. {@code deployment.create}) on one object, the tenant it belongs
     * to (null for the vendor's own objects), and the ids before and after where there are such.
     */
    public record Change(String action, String objectType, String objectId, String tenantId, String detail) {
        public static Change of(String action, String objectType, String objectId, String tenantId) {
            return new Change(action, objectType, objectId, tenantId, null);
        }

        public Change detail(String text) {
            return new Change(action, objectType, objectId, tenantId, text);
        }
    }

    /** Appends {@code change} by {@code caller} in the transaction {@code sql} belongs to. */
    public AuditEntry record(Sql sql, Caller caller, Change change) {
        return recordAll(sql, caller, List.of(change)).get(0);
    }

    /**
     * Appends {@code changes} by {@code caller}, in order, in the transaction {@code sql} belongs to:
     * one lock of the head, the entries chained in memory and inserted as one JDBC batch (a rollout's
     * thousands of deployment changes).
     */
    public List<AuditEntry> recordAll(Sql sql, Caller caller, List<Change> changes) {
        if (!db.inTransaction()) {
            throw new IllegalStateException("audit entries are written in the transaction of their change");
        }
        if (changes.isEmpty()) {
            return List.of();
        }
        Head head = sql.queryOne("select seq, hash from audit_head where id = 1 for update",
                rs -> new Head(rs.getLong("seq"), rs.getString("hash"))).orElseThrow(
                        () -> new IllegalStateException("the audit log's head row is missing"));
        Instant at = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        List<AuditEntry> entries = new ArrayList<>(changes.size());
        List<Object[]> rows = new ArrayList<>(changes.size());
        long seq = head.seq();
        String previous = head.hash();
        for (Change change : changes) {
            AuditEntry entry = AuditChain.sealed(new AuditEntry(++seq, at, caller.describe(), caller.tokenId(),
                    change.tenantId(), caller.source(), change.action(), change.objectType(), change.objectId(),
                    change.detail(), previous, null));
            entries.add(entry);
            rows.add(new Object[] {entry.seq(), entry.at(), entry.actor(), entry.tokenId(), entry.tenantId(),
                    entry.source(), entry.action(), entry.objectType(), entry.objectId(), entry.detail(),
                    entry.prevHash(), entry.hash()});
            previous = entry.hash();
        }
        sql.batch("insert into audit_log (" + COLUMNS + ") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows);
        sql.update("update audit_head set seq = ?, hash = ? where id = 1", seq, previous);
        return entries;
    }

    /** Entries after {@code afterSeq}, oldest first, at most {@code limit}; only {@code tenantId}'s when given. */
    public List<AuditEntry> page(Optional<String> tenantId, long afterSeq, int limit) {
        return db.read(sql -> tenantId.isPresent()
                ? sql.query("select " + COLUMNS + " from audit_log where tenant_id = ? and seq > ? order by seq "
                        + "fetch first " + limit + " rows only", AuditLog::entry, tenantId.get(), afterSeq)
                : sql.query("select " + COLUMNS + " from audit_log where seq > ? order by seq fetch first " + limit
                        + " rows only", AuditLog::entry, afterSeq));
    }

    /**
     * Checks the whole chain up to the head as it is now (entries appended meanwhile are left for the
     * next check), a page at a time.
     */
    public HashChain.Verdict verify() {
        Head head = db.read(sql -> sql.queryOne("select seq, hash from audit_head where id = 1",
                rs -> new Head(rs.getLong("seq"), rs.getString("hash")))).orElseThrow(
                        () -> new IllegalStateException("the audit log's head row is missing"));
        HashChain.Verifier verifier = new HashChain.Verifier();
        long after = 0;
        while (true) {
            long from = after;
            List<AuditEntry> entries = db.read(sql -> sql.query("select " + COLUMNS + " from audit_log where seq > ? "
                    + "and seq <= ? order by seq fetch first " + VERIFY_PAGE + " rows only", AuditLog::entry, from,
                    head.seq()));
            for (AuditEntry entry : entries) {
                Optional<HashChain.Verdict> broken = verifier.accept(entry);
                if (broken.isPresent()) {
                    return broken.get();
                }
            }
            if (entries.size() < VERIFY_PAGE) {
                return verifier.finish(head.seq(), head.hash());
            }
            after = entries.getLast().seq();
        }
    }

    private record Head(long seq, String hash) {
    }

    private static AuditEntry entry(ResultSet rs) throws SQLException {
        Instant at = Sql.instant(rs, "at");
        return new AuditEntry(rs.getLong("seq"), at, rs.getString("actor"), rs.getString("token_id"),
                rs.getString("tenant_id"), rs.getString("source"), rs.getString("action"), rs.getString("object_type"),
                rs.getString("object_id"), rs.getString("detail"), rs.getString("prev_hash"), rs.getString("hash"));
    }
}
