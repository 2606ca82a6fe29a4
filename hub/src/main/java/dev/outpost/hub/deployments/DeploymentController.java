package dev.outpost.hub.deployments;

import dev.outpost.hub.api.idempotency.IdempotentRequests.Call;
import dev.outpost.hub.api.idempotency.IdempotentRequests;
import dev.outpost.hub.auth.Authenticated;
import dev.outpost.hub.auth.Caller;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Patch;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.List;
import java.util.Optional;

/**
 * REST: /api/v1/deployments. Changes answer 202: an agent carries them out later. Every change takes
 * an {@code Idempotency-Key}; PATCH and DELETE take {@code If-Match} with the ETag a GET answered.
 */
@Controller("/api/v1/deployments")
@ExecuteOn(TaskExecutors.BLOCKING)
public class DeploymentController {
    private static final String ROUTE = "/api/v1/deployments";
    private final DeploymentService service;
    private final IdempotentRequests idempotent;
    private final DeploymentVersions versions;

    public DeploymentController(DeploymentService service, IdempotentRequests idempotent, DeploymentVersions versions) {
        this.service = service;
        this.idempotent = idempotent;
        this.versions = versions;
    }

    @Post
    public HttpResponse<?> create(@Authenticated Caller caller, @Body DeploymentService.NewDeployment body,
                                  @Header(IdempotentRequests.HEADER) @Nullable String key) {
        return idempotent.run(new Call(caller, key, "POST", ROUTE, body), HttpStatus.ACCEPTED,
                () -> service.create(caller, body));
    }

    @Get
    public List<Deployment> list(@Authenticated Caller caller, @QueryValue Optional<String> tenantId,
                                 @QueryValue Optional<String> environmentId) {
        return service.list(caller, tenantId, environmentId);
    }

    @Get("/{id}")
    public MutableHttpResponse<Deployment> get(@Authenticated Caller caller, String id) {
        Deployment deployment = service.get(caller, id);
        return HttpResponse.ok(deployment).header(HttpHeaders.ETAG, DeploymentVersions.etag(deployment));
    }

    /**
     * Upgrade (releaseId) and/or new parameters (replacing the old ones); 409 while another operation is
     * active, 412 when If-Match names another version.
     */
    @Patch("/{id}")
    public HttpResponse<?> update(@Authenticated Caller caller, String id, @Body DeploymentService.DeploymentChange body,
                                  @Header(HttpHeaders.IF_MATCH) @Nullable String ifMatch,
                                  @Header(IdempotentRequests.HEADER) @Nullable String key) {
        return idempotent.run(new Call(caller, key, "PATCH", ROUTE + "/" + id, body), HttpStatus.ACCEPTED,
                () -> {
                    service.requireWellFormed(body);
                    return versions.ifMatch(caller, id, ifMatch, () -> service.update(caller, id, body));
                });
    }

    @Delete("/{id}")
    public HttpResponse<?> delete(@Authenticated Caller caller, String id,
                                  @Header(HttpHeaders.IF_MATCH) @Nullable String ifMatch,
                                  @Header(IdempotentRequests.HEADER) @Nullable String key) {
        return idempotent.run(new Call(caller, key, "DELETE", ROUTE + "/" + id, null), HttpStatus.ACCEPTED,
                () -> versions.ifMatch(caller, id, ifMatch, () -> service.delete(caller, id)));
    }
}
