package dev.outpost.hub.usage;

import dev.outpost.hub.auth.Authenticated;
import dev.outpost.hub.auth.Caller;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.List;
import java.util.Optional;

/** REST: /api/v1/usage (read only; agents report usage over the gateway's Telemetry service). */
@Controller("/api/v1/usage")
@ExecuteOn(TaskExecutors.BLOCKING)
public class UsageController {
    private final UsageService service;

    public UsageController(UsageService service) {
        this.service = service;
    }

    /** Usage per period; CSV with {@code format=csv} or {@code Accept: text/csv}. */
    @Get(produces = {MediaType.APPLICATION_JSON, UsageCsv.CONTENT_TYPE})
    public HttpResponse<?> summary(@Authenticated Caller caller, @QueryValue Optional<String> tenantId,
            @QueryValue Optional<String> environmentId, @QueryValue Optional<String> deploymentId,
            @QueryValue Optional<String> meter, @QueryValue Optional<String> from, @QueryValue Optional<String> to,
            @QueryValue Optional<String> groupBy, @QueryValue Optional<String> format,
            @Header(HttpHeaders.ACCEPT) @Nullable String accept) {
        List<UsageViews.Period> periods = service.summary(caller,
                new UsageQueryParams(tenantId, environmentId, deploymentId, meter, from, to), groupBy, format);
        boolean csv = format.map("csv"::equals).orElseGet(() -> wantsCsv(accept));
        if (csv) {
            return HttpResponse.ok(UsageCsv.of(periods)).contentType(UsageCsv.CONTENT_TYPE + "; charset=utf-8");
        }
        return HttpResponse.ok(new UsageViews.Summary(periods)).contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    @Get(value = "/records", produces = MediaType.APPLICATION_JSON)
    public UsageViews.RecordPage records(@Authenticated Caller caller, @QueryValue Optional<String> tenantId,
            @QueryValue Optional<String> environmentId, @QueryValue Optional<String> deploymentId,
            @QueryValue Optional<String> meter, @QueryValue Optional<String> from, @QueryValue Optional<String> to,
            @QueryValue Optional<String> limit, @QueryValue Optional<String> cursor) {
        return service.records(caller, new UsageQueryParams(tenantId, environmentId, deploymentId, meter, from, to),
                limit, cursor);
    }

    @Get(value = "/agents", produces = MediaType.APPLICATION_JSON)
    public UsageViews.Agents agents(@Authenticated Caller caller, @QueryValue Optional<String> tenantId) {
        return service.agents(caller, tenantId);
    }

    /** CSV only when the client asks for it and not for JSON first. */
    private static boolean wantsCsv(String accept) {
        if (accept == null) {
            return false;
        }
        String lower = accept.toLowerCase(java.util.Locale.ROOT);
        int csv = lower.indexOf("text/csv");
        int json = lower.indexOf("application/json");
        return csv >= 0 && (json < 0 || csv < json);
    }
}
