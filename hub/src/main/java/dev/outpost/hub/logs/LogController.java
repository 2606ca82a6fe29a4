package dev.outpost.hub.logs;

import dev.outpost.hub.api.ApiException;
import dev.outpost.hub.api.Problem;
import dev.outpost.hub.auth.Authenticated;
import dev.outpost.hub.auth.Caller;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** REST: /api/v1/logs (read only; agents ship lines over the gateway's Telemetry service). */
@Controller("/api/v1/logs")
@ExecuteOn(TaskExecutors.BLOCKING)
public class LogController {
    private final LogService service;

    public LogController(LogService service) {
        this.service = service;
    }

    /** A page of lines; with {@code follow=true} a server-sent event stream of new lines instead. */
    @Get(produces = {MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM})
    public HttpResponse<?> lines(@Authenticated Caller caller, HttpRequest<?> request) {
        Optional<String> limit = param(request, "limit");
        Optional<String> order = param(request, "order");
        Optional<String> cursor = param(request, "cursor");
        List<Problem.FieldError> errors = new ArrayList<>();
        boolean follow = LogQueries.follow(param(request, "follow"), errors);
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        if (follow) {
            return HttpResponse.ok(service.follow(caller, filters(request), limit, order, cursor))
                    .contentType(MediaType.TEXT_EVENT_STREAM_TYPE);
        }
        return HttpResponse.ok(service.page(caller, filters(request), limit, order, cursor))
                .contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    @Get(value = "/sources", produces = MediaType.APPLICATION_JSON)
    public LogViews.Sources sources(@Authenticated Caller caller, HttpRequest<?> request) {
        return service.sources(caller, param(request, "tenantId"), param(request, "environmentId"),
                param(request, "deploymentId"));
    }

    /** Query parameters are read as sent: {@code ?pod=} is an empty value (refused), not an absent one. */
    private static Optional<String> param(HttpRequest<?> request, String name) {
        return request.getParameters().getFirst(name);
    }

    private static LogQueryParams filters(HttpRequest<?> request) {
        return new LogQueryParams(param(request, "tenantId"), param(request, "environmentId"),
                param(request, "deploymentId"), param(request, "pod"), param(request, "container"),
                param(request, "from"), param(request, "to"), param(request, "contains"), param(request, "regex"));
    }
}
