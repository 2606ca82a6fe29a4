package dev.outpost.hub.usage;

import dev.outpost.hub.auth.Authenticated;
import dev.outpost.hub.auth.Caller;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
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
    public HttpResponse<?> summary(@Authenticated Caller caller, HttpRequest<?> request,
            @Header(HttpHeaders.ACCEPT) @Nullable String accept) {
        Optional<String> format = param(request, "format");
        List<UsageViews.Period> periods = service.summary(caller, filters(request), param(request, "groupBy"), format);
        boolean csv = format.map("csv"::equals).orElseGet(() -> wantsCsv(accept));
        if (csv) {
            return HttpResponse.ok(UsageCsv.of(periods)).contentType(UsageCsv.CONTENT_TYPE + "; charset=utf-8");
        }
        return HttpResponse.ok(new UsageViews.Summary(periods)).contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    @Get(value = "/records", produces = MediaType.APPLICATION_JSON)
    public UsageViews.RecordPage records(@Authenticated Caller caller, HttpRequest<?> request) {
        return service.records(caller, filters(request), param(request, "limit"), param(request, "cursor"));
    }

    @Get(value = "/agents", produces = MediaType.APPLICATION_JSON)
    public UsageViews.Agents agents(@Authenticated Caller caller, HttpRequest<?> request) {
        return service.agents(caller, param(request, "tenantId"));
    }

    /** Query parameters are read as sent: {@code ?from=} is an empty value (refused), not an absent one. */
    private static Optional<String> param(HttpRequest<?> request, String name) {
        return request.getParameters().getFirst(name);
    }

    private static UsageQueryParams filters(HttpRequest<?> request) {
        return new UsageQueryParams(param(request, "tenantId"), param(request, "environmentId"),
                param(request, "deploymentId"), param(request, "meter"), param(request, "from"), param(request, "to"));
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
