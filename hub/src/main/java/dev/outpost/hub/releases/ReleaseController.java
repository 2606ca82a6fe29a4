package dev.outpost.hub.releases;

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

/**
 * REST: /api/v1/releases. There is deliberately no PUT, PATCH or DELETE: releases are immutable, and
 * those methods answer 405.
 */
@Controller("/api/v1/releases")
@ExecuteOn(TaskExecutors.BLOCKING)
public class ReleaseController {
    private final ReleaseService service;

    public ReleaseController(ReleaseService service) {
        this.service = service;
    }

    /** Publishes a release (admin only). */
    @Post
    @Status(HttpStatus.CREATED)
    public Release create(@Authenticated Caller caller, @Body ReleaseService.NewRelease body) {
        return service.create(caller, body);
    }

    /** Every caller may read the catalogue. */
    @Get
    public List<Release> list(@QueryValue Optional<String> serviceName) {
        return service.list(serviceName);
    }

    @Get("/{id}")
    public Release get(String id) {
        return service.get(id);
    }
}
