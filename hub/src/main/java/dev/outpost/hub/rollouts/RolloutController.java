package dev.outpost.hub.rollouts;

import dev.outpost.hub.api.idempotency.IdempotentRequests;
import dev.outpost.hub.api.idempotency.IdempotentRequests.Call;
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

/** REST: /api/v1/rollouts. Starting one answers 201: its operations are queued, agents carry them out. */
@Controller("/api/v1/rollouts")
@ExecuteOn(TaskExecutors.BLOCKING)
public class RolloutController {
    private static final String ROUTE = "/api/v1/rollouts";
    private final RolloutService service;
    private final IdempotentRequests idempotent;

    public RolloutController(RolloutService service, IdempotentRequests idempotent) {
        this.service = service;
        this.idempotent = idempotent;
    }

    @Post
    public HttpResponse<?> start(@Authenticated Caller caller, @Body RolloutService.NewRollout body,
                                 @Header(IdempotentRequests.HEADER) @Nullable String key) {
        return idempotent.run(new Call(caller, key, "POST", ROUTE, body), HttpStatus.CREATED,
                () -> RolloutResponse.of(service.start(caller, body)));
    }

    @Get
    public List<RolloutResponse> list(@Authenticated Caller caller, @QueryValue Optional<String> tenantId) {
        return service.list(caller, tenantId).stream().map(RolloutResponse::of).toList();
    }

    @Get("/{id}")
    public RolloutResponse get(@Authenticated Caller caller, String id) {
        return RolloutResponse.of(service.get(caller, id));
    }
}
