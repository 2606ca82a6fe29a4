package dev.outpost.hub.ops;

import dev.outpost.hub.api.ApiException;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.swagger.v3.oas.annotations.Hidden;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** GET /api/v1/openapi.yaml: the OpenAPI document generated at build time, served without a token. */
@Controller
@Hidden
public class OpenApiController {
    /** Where micronaut-openapi writes the document for the @OpenAPIDefinition on Application. */
    static final String RESOURCE = "/META-INF/swagger/outpost-hub-api-v1.yml";
    private final byte[] document;

    public OpenApiController() {
        try (InputStream in = OpenApiController.class.getResourceAsStream(RESOURCE)) {
            document = in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Get("/api/v1/openapi.yaml")
    public HttpResponse<byte[]> openApi() {
        if (document == null) {
            throw new ApiException(HttpStatus.NOT_FOUND, "this hub was built without its OpenAPI document");
        }
        return HttpResponse.ok(document).contentType("application/yaml");
    }
}
