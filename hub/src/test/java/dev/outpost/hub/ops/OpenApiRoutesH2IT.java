package dev.outpost.hub.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.hub.testsupport.Api;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import io.micronaut.web.router.Router;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The OpenAPI document and the hub's real routes agree: every route/method Micronaut's router serves
 * is an operation of the document and every operation of the document is a route. With the response
 * checks of the test clients this keeps the hand-written document the true contract.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiRoutesH2IT implements TestPropertyProvider {
    @Inject
    Router router;
    @Inject
    EmbeddedServer server;

    @Override
    public Map<String, String> getProperties() {
        try {
            return Map.of("outpost.data-dir", Files.createTempDirectory("outpost-openapi-it").toString(),
                    "outpost.admin-token", "opa_" + "oa".repeat(16),
                    "micronaut.server.port", "-1",
                    "outpost.grpc-port", "0");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void everyRouteIsDocumentedAndEveryDocumentedOperationIsARoute() {
        Set<String> served = router.uriRoutes()
                // Micronaut answers HEAD wherever it answers GET, as HTTP requires; the document says so once.
                .filter(route -> !route.getHttpMethodName().equals("HEAD"))
                .map(route -> route.getHttpMethodName() + " " + template(route.getUriMatchTemplate().toString()))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> documented = Api.CONTRACT.operations().entrySet().stream()
                .flatMap(path -> path.getValue().stream().map(method -> method + " " + path.getKey()))
                .collect(Collectors.toCollection(TreeSet::new));

        Set<String> undocumented = new TreeSet<>(served);
        undocumented.removeAll(documented);
        Set<String> unserved = new TreeSet<>(documented);
        unserved.removeAll(served);
        assertThat(undocumented).as("routes the hub serves that the document lacks").isEmpty();
        assertThat(unserved).as("operations of the document the hub does not serve").isEmpty();
    }

    @Test
    void theDocumentIsServedUnchanged() throws IOException {
        Api.Response served = new Api(server.getURI()).get("/api/v1/openapi.yaml", null);

        assertThat(served.status()).isEqualTo(200);
        assertThat(served.contentType()).startsWith("application/yaml");
        try (InputStream in = OpenApiController.class.getResourceAsStream(OpenApiController.RESOURCE)) {
            assertThat(served.raw().body()).isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** Micronaut's "/api/v1/tenants/{id}" as the document writes it; optional parts ("{/x}") dropped. */
    private static String template(String micronaut) {
        String withoutOptional = micronaut.replaceAll("\\{/[^}]*}", "");
        return withoutOptional.length() > 1 && withoutOptional.endsWith("/")
                ? withoutOptional.substring(0, withoutOptional.length() - 1) : withoutOptional;
    }
}
