package dev.outpost.hub.releases;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.hub.api.ApiException;
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

/**
 * REST: /api/v1/releases. There is deliberately no PUT, PATCH or DELETE: releases are immutable (only
 * their status changes, through deprecate, undeprecate and yank), and those methods answer 405.
 */
@Controller("/api/v1/releases")
@ExecuteOn(TaskExecutors.BLOCKING)
public class ReleaseController {
    /** The media type of a package archive download. */
    static final String GZIP = "application/gzip";
    private final ReleaseService service;
    private final ReleaseLifecycle lifecycle;
    private final IdempotentRequests idempotent;
    private final ObjectMapper mapper;

    public ReleaseController(ReleaseService service, ReleaseLifecycle lifecycle, IdempotentRequests idempotent,
                             ObjectMapper mapper) {
        this.service = service;
        this.idempotent = idempotent;
        this.lifecycle = lifecycle;
        this.mapper = mapper;
    }

    /**
     * Publishes a manifests release (admin only); with an Idempotency-Key a retry gets the first answer
     * instead of 409. (Packages need no key: the same bytes again are answered with the same release;
     * status changes are idempotent by nature.)
     */
    @Post
    public HttpResponse<?> create(@Authenticated Caller caller, @Body ReleaseService.NewRelease body,
                                  @Header(IdempotentRequests.HEADER) @Nullable String key) {
        return idempotent.run(new IdempotentRequests.Call(caller, key, "POST", "/api/v1/releases", body),
                HttpStatus.CREATED, () -> view(service.create(caller, body)));
    }

    /** Every caller may read the catalogue, yanked releases included. */
    @Get
    public List<ReleaseView> list(@QueryValue Optional<String> serviceName, @QueryValue Optional<String> status) {
        return service.list(serviceName, status).stream().map(this::view).toList();
    }

    @Get("/{id}")
    public ReleaseView get(String id) {
        return view(service.get(id));
    }

    /**
     * A package's archive, byte for byte as it was uploaded. A manifests release exists but has none:
     * 409 saying so (a 404 would claim the release itself is missing).
     */
    @Get(value = "/{id}/archive", produces = GZIP)
    public HttpResponse<byte[]> archive(String id) {
        Release release = service.get(id);
        byte[] archive = service.archive(id).orElseThrow(() -> ApiException.conflict("release " + id
                + " is a manifests release: only package releases have an archive"));
        return HttpResponse.ok(archive).contentType(GZIP).header("Content-Disposition",
                "attachment; filename=\"" + release.serviceName() + "-" + release.version() + ".tgz\"");
    }

    /** No new deployments of it (admin only); deployments already on it may still be updated and deleted. */
    @Post("/{id}/deprecate")
    public ReleaseView deprecate(@Authenticated Caller caller, String id,
                                 @Body @Nullable ReleaseLifecycle.DeprecateRequest body) {
        return view(lifecycle.deprecate(caller, id, body == null ? null : body.reason()));
    }

    /** Undoes a deprecation (admin only). */
    @Post("/{id}/undeprecate")
    public ReleaseView undeprecate(@Authenticated Caller caller, String id) {
        return view(lifecycle.undeprecate(caller, id));
    }

    /** Refuses it for new deployments and updates, with the reason (admin only). Final. */
    @Post("/{id}/yank")
    public ReleaseView yank(@Authenticated Caller caller, String id, @Body ReleaseLifecycle.YankRequest body) {
        return view(lifecycle.yank(caller, id, body.reason()));
    }

    private ReleaseView view(Release release) {
        return ReleaseView.of(release, mapper);
    }
}
