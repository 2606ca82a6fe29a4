package dev.outpost.hub.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/** One connection (usually inside a transaction) with just enough helpers to keep stores short. */
public final class Sql {
    private final Connection connection;

    Sql(Connection connection) {
        this.connection = connection;
    }

    /** Maps the current row of a result set. */
    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** {@code count} comma-separated parameter markers, for an {@code in (...)} list. */
    public static String placeholders(int count) {
        return String.join(", ", Collections.nCopies(count, "?"));
    }

    /** The most parameters one {@code in (...)} list of a lookup by many ids carries. */
    public static final int IN_LIST_MAX = 500;

    /** {@code ids} in lists of at most {@link #IN_LIST_MAX}, for lookups of many ids a few queries each. */
    public static List<List<String>> inLists(Collection<String> ids) {
        List<String> all = List.copyOf(ids);
        List<List<String>> lists = new ArrayList<>();
        for (int from = 0; from < all.size(); from += IN_LIST_MAX) {
            lists.add(all.subList(from, Math.min(all.size(), from + IN_LIST_MAX)));
        }
        return lists;
    }

    /** Runs an INSERT, UPDATE or DELETE; returns the number of rows it changed. */
    public int update(String sql, Object... params) {
        try (PreparedStatement ps = prepare(sql, params)) {
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw StoreException.of(e);
        }
    }

    /**
     * Runs one INSERT, UPDATE or DELETE once per parameter row as a JDBC batch (one round trip where the
     * driver can); returns the rows each execution changed, in order.
     */
    public int[] batch(String sql, List<Object[]> rows) {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            for (Object[] params : rows) {
                for (int i = 0; i < params.length; i++) {
                    bind(ps, i + 1, params[i]);
                }
                ps.addBatch();
            }
            return ps.executeBatch();
        } catch (SQLException e) {
            throw StoreException.of(e);
        }
    }

    /** Every row the query returns, mapped. */
    public <T> List<T> query(String sql, RowMapper<T> mapper, Object... params) {
        try (PreparedStatement ps = prepare(sql, params); ResultSet rs = ps.executeQuery()) {
            List<T> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(mapper.map(rs));
            }
            return rows;
        } catch (SQLException e) {
            throw StoreException.of(e);
        }
    }

    /** The first row the query returns, if any. */
    public <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... params) {
        List<T> rows = query(sql, mapper, params);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.getFirst());
    }

    /** A single number, e.g. from {@code select count(*)}. */
    public long count(String sql, Object... params) {
        return queryOne(sql, rs -> rs.getLong(1), params).orElse(0L);
    }

    /** A timestamp column as an Instant (null stays null); both drivers map it to OffsetDateTime. */
    public static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private PreparedStatement prepare(String sql, Object... params) throws SQLException {
        PreparedStatement ps = connection.prepareStatement(sql);
        try {
            for (int i = 0; i < params.length; i++) {
                bind(ps, i + 1, params[i]);
            }
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }

    private static void bind(PreparedStatement ps, int index, Object value) throws SQLException {
        switch (value) {
            // Types.NULL lets PostgreSQL infer the column type, whatever it is.
            case null -> ps.setNull(index, Types.NULL);
            case Instant instant -> ps.setObject(index, instant.atOffset(ZoneOffset.UTC));
            case byte[] bytes -> ps.setBytes(index, bytes);
            case Enum<?> e -> ps.setString(index, e.name().toLowerCase(java.util.Locale.ROOT));
            default -> ps.setObject(index, value);
        }
    }
}
