package dev.outpost.hub.tenants;

import dev.outpost.hub.api.StrictRequest;
import dev.outpost.hub.api.idempotency.IdempotentRequests;
import dev.outpost.hub.auth.Authenticated;
import dev.outpost.hub.auth.Caller;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Status;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** REST: /api/v1/tenants. */
@Controller("/api/v1/tenants")
@ExecuteOn(TaskExecutors.BLOCKING)
public class TenantController {
    private final TenantService service;
    private final IdempotentRequests idempotent;

    public TenantController(TenantService service, IdempotentRequests idempotent) {
        this.service = service;
        this.idempotent = idempotent;
    }

    /** Body of POST /tenants and POST /tenants/{id}/tokens. */
    @StrictRequest
    public record NameRequest(
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, maxLength = TenantService.NAME_MAX_CHARS)
            String name) {
    }

    /** Creates a tenant (admin only). */
    @Post
    public HttpResponse<?> create(@Authenticated Caller caller, @Body NameRequest body,
                                  @Header(IdempotentRequests.HEADER) @Nullable String key) {
        return idempotent.run(new IdempotentRequests.Call(caller, key, "POST", "/api/v1/tenants", body),
                HttpStatus.CREATED, () -> service.create(caller, body.name()));
    }

    /** All tenants for the admin; a tenant token sees only its own. */
    @Get
    public List<Tenant> list(@Authenticated Caller caller) {
        return service.list(caller);
    }

    @Get("/{id}")
    public Tenant get(@Authenticated Caller caller, String id) {
        return service.get(caller, id);
    }

    /** Issues an API token for the tenant (admin only); the response is the only place the secret appears. */
    @Post("/{id}/tokens")
    @Status(HttpStatus.CREATED)
    public TenantService.IssuedToken issueToken(@Authenticated Caller caller, String id, @Body NameRequest body,
                                                @Header(IdempotentRequests.HEADER) @Nullable String key) {
        IdempotentRequests.refuseForSecrets(key);
        return service.issueToken(caller, id, body.name());
    }

    /** Deletes a tenant's API token (admin only): it stops working at once. */
    @Delete("/{id}/tokens/{tokenId}")
    @Status(HttpStatus.NO_CONTENT)
    public void deleteToken(@Authenticated Caller caller, String id, String tokenId) {
        service.deleteToken(caller, id, tokenId);
    }
}
