package dev.outpost.hub.deployments;

import dev.outpost.hub.api.idempotency.IdempotentRequests;
import dev.outpost.hub.auth.Authenticated;
import dev.outpost.hub.auth.Caller;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.List;
import java.util.Optional;

/** REST: /api/v1/operations (started through deployments; here read and, when stuck, cancelled). */
@Controller("/api/v1/operations")
@ExecuteOn(TaskExecutors.BLOCKING)
public class OperationController {
    private final DeploymentService service;
    private final IdempotentRequests idempotent;

    public OperationController(DeploymentService service, IdempotentRequests idempotent) {
        this.service = service;
        this.idempotent = idempotent;
    }

    @Get
    public List<Operation> list(@Authenticated Caller caller, @QueryValue Optional<String> tenantId,
                                @QueryValue Optional<String> deploymentId) {
        return service.listOperations(caller, tenantId, deploymentId);
    }

    @Get("/{id}")
    public Operation get(@Authenticated Caller caller, String id) {
        return service.getOperation(caller, id);
    }

    /** Cancels a pending or running operation; 409 once it has finished. Answers the operation as it now is. */
    @Post("/{id}/cancel")
    public HttpResponse<?> cancel(@Authenticated Caller caller, String id,
                                  @Header(IdempotentRequests.HEADER) @Nullable String key) {
        return idempotent.run(new IdempotentRequests.Call(caller, key, "POST", "/api/v1/operations/" + id + "/cancel",
                null), HttpStatus.OK, () -> service.cancel(caller, id));
    }
}
