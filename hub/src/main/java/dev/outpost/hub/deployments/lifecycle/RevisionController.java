package dev.outpost.hub.deployments.lifecycle;

import dev.outpost.hub.api.idempotency.IdempotentRequests;
import dev.outpost.hub.auth.Authenticated;
import dev.outpost.hub.auth.Caller;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.List;

/** REST: /api/v1/deployments/{id}/revisions and /rollback. */
@Controller("/api/v1/deployments")
@ExecuteOn(TaskExecutors.BLOCKING)
public class RevisionController {
    private final RevisionService service;
    private final IdempotentRequests idempotent;

    public RevisionController(RevisionService service, IdempotentRequests idempotent) {
        this.service = service;
        this.idempotent = idempotent;
    }

    @Get("/{id}/revisions")
    public List<Revision> revisions(@Authenticated Caller caller, String id) {
        return service.list(caller, id);
    }

    /** Back to a revision ({@code {}}: the previous one); 202 with the new update operation. */
    @Post("/{id}/rollback")
    public HttpResponse<?> rollback(@Authenticated Caller caller, String id, @Body RevisionService.RollbackRequest body,
                                    @Header(IdempotentRequests.HEADER) @Nullable String key) {
        return idempotent.run(new IdempotentRequests.Call(caller, key, "POST", "/api/v1/deployments/" + id + "/rollback",
                body), HttpStatus.ACCEPTED, () -> service.rollback(caller, id, body));
    }
}
