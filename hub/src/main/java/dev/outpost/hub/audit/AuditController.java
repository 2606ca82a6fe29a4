package dev.outpost.hub.audit;

import dev.outpost.hub.auth.Authenticated;
import dev.outpost.hub.auth.Caller;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.List;

/** REST: /api/v1/audit (read only: entries are written by the changes they record). */
@Controller("/api/v1/audit")
@ExecuteOn(TaskExecutors.BLOCKING)
public class AuditController {
    private final AuditService service;

    public AuditController(AuditService service) {
        this.service = service;
    }

    /** A page of entries, oldest first; page on with {@code afterSeq} = the last {@code seq} seen. */
    @Get
    public List<AuditViews.Entry> list(@Authenticated Caller caller, HttpRequest<?> request) {
        return service.page(caller, request.getParameters().getFirst("tenantId"),
                request.getParameters().getFirst("afterSeq"), request.getParameters().getFirst("limit"));
    }

    /** Checks the whole chain: valid, or the first entry that was changed, removed or cut off. */
    @Get("/verify")
    public AuditViews.Verification verify(@Authenticated Caller caller) {
        return service.verify(caller);
    }
}
