package dev.outpost.hub.releases;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.hub.auth.Authenticated;
import dev.outpost.hub.auth.Caller;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/**
 * REST: POST /api/v1/packages, the body being the package's .tgz itself (no JSON, no multipart:
 * {@code curl --data-binary @redis.tgz}). 201 with the new release, 200 with the existing one when the
 * same bytes were published before.
 */
@Controller("/api/v1/packages")
@ExecuteOn(TaskExecutors.BLOCKING)
public class PackageController {
    private final PackagePublisher publisher;
    private final ObjectMapper mapper;

    public PackageController(PackagePublisher publisher, ObjectMapper mapper) {
        this.publisher = publisher;
        this.mapper = mapper;
    }

    /** Inspects and stores a package (admin only). The raw body is read whole, within max-request-size. */
    @Post(consumes = {ReleaseController.GZIP, MediaType.APPLICATION_OCTET_STREAM})
    public HttpResponse<ReleaseView> publish(@Authenticated Caller caller, HttpRequest<byte[]> request) {
        PackagePublisher.Published published = publisher.publish(caller, request.getBody().orElse(null));
        ReleaseView view = ReleaseView.of(published.release(), mapper);
        return published.created() ? HttpResponse.created(view) : HttpResponse.ok(view);
    }
}
