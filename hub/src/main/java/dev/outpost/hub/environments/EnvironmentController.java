package dev.outpost.hub.environments;

import dev.outpost.hub.auth.Authenticated;
import dev.outpost.hub.auth.Caller;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Status;
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

    public EnvironmentController(EnvironmentService service) {
        this.service = service;
    }

    @Post
    @Status(HttpStatus.CREATED)
    public Environment create(@Authenticated Caller caller, @Body EnvironmentService.NewEnvironment body) {
        return service.create(caller, body);
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
