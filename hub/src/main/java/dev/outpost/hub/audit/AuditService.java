package dev.outpost.hub.audit;

import dev.outpost.hub.api.ApiException;
import dev.outpost.hub.api.Problem;
import dev.outpost.hub.auth.Caller;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;

/** Reading the audit log: a tenant sees the entries about its own objects, the admin all and the verdict. */
@Singleton
public class AuditService {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final AuditLog log;

    public AuditService(AuditLog log) {
        this.log = log;
    }

    public List<AuditViews.Entry> page(Caller caller, Optional<String> tenantId, Optional<String> afterSeq,
            Optional<String> limit) {
        long after = number(afterSeq, "afterSeq", 0, Long.MAX_VALUE, 0);
        int size = (int) number(limit, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT);
        Optional<String> tenant = caller.tenantFilter(tenantId);
        return log.page(tenant, after, size).stream().map(AuditViews.Entry::of).toList();
    }

    public AuditViews.Verification verify(Caller caller) {
        caller.requireVendor();
        return AuditViews.Verification.of(log.verify());
    }

    private static long number(Optional<String> text, String field, long min, long max, long otherwise) {
        if (text.isEmpty()) {
            return otherwise;
        }
        try {
            long value = Long.parseLong(text.get());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below, with the range
        }
        throw ApiException.invalid(List.of(new Problem.FieldError(field,
                "must be an integer from " + min + " to " + max + " (got '" + text.get() + "')")));
    }
}
