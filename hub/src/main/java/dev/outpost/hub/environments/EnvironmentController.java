package dev.outpost.hub.environments;

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
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.List;
import java.util.Optional;

/** REST: /api/v1/environments. */
@Controller("/api/v1/environments")
@ExecuteOn(TaskExecutors.BLOCKING)
public class EnvironmentController {
    private final EnvironmentService service;
    private final IdempotentRequests idempotent;

    public EnvironmentController(EnvironmentService service, IdempotentRequests idempotent) {
        this.service = service;
        this.idempotent = idempotent;
    }

    @Post
    public HttpResponse<?> create(@Authenticated Caller caller, @Body EnvironmentService.NewEnvironment body,
                                  @Header(IdempotentRequests.HEADER) @Nullable String key) {
        return idempotent.run(new IdempotentRequests.Call(caller, key, "POST", "/api/v1/environments", body),
                HttpStatus.CREATED, () -> service.create(caller, body));
    }

    @Get
    public List<Environment> list(@Authenticated Caller caller, @QueryValue Optional<String> tenantId) {
        return service.list(caller, tenantId);
    }

    @Get("/{id}")
    public Environment get(@Authenticated Caller caller, String id) {
        return service.get(caller, id);
    }
}
