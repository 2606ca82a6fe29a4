package dev.outpost.hub.releases;

import dev.outpost.hub.api.Problem;
import dev.outpost.hub.packages.PackageProblem;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Answers a refused package with 422 problem+json listing every {@code {file, problem}} (a problem
 * document with a {@code problems} member instead of {@code errors}, which are request fields).
 */
@Singleton
public class PackageRefusedHandler implements ExceptionHandler<PackageRefusedException, HttpResponse<?>> {

    /** The body of the 422: RFC 9457 members plus the package's problems. */
    public record PackageProblems(String type, String title, int status, String detail, List<PackageProblem> problems) {
    }

    @Override
    public HttpResponse<?> handle(HttpRequest request, PackageRefusedException exception) {
        Problem base = Problem.of(HttpStatus.UNPROCESSABLE_ENTITY, exception.getMessage());
        return HttpResponse.status(HttpStatus.UNPROCESSABLE_ENTITY).contentType(Problem.CONTENT_TYPE)
                .body(new PackageProblems(base.type(), base.title(), base.status(), base.detail(), exception.problems()));
    }
}
