package dev.outpost.hub.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A WHERE clause of optional equality filters, for list queries with optional query parameters. */
public final class Where {
    private final StringBuilder clause = new StringBuilder(" where 1 = 1");
    private final List<Object> params = new ArrayList<>();

    /** Adds {@code column = value} when the value is present. Column names come from code, never from input. */
    public Where equal(String column, Optional<String> value) {
        value.ifPresent(v -> {
            clause.append(" and ").append(column).append(" = ?");
            params.add(v);
        });
        return this;
    }

    /** The clause, starting with a space. */
    public String sql() {
        return clause.toString();
    }

    /** Its parameters, in order. */
    public Object[] params() {
        return params.toArray();
    }
}
