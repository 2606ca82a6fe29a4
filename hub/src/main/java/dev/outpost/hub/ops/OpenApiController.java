package dev.outpost.hub.ops;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * GET /api/v1/openapi.yaml: the hand-written OpenAPI document, the REST API's contract, served
 * unchanged and without a token.
 */
@Controller
public class OpenApiController {
    /** The document on the classpath (hub/src/main/resources). */
    public static final String RESOURCE = "/openapi/outpost-api-v1.yaml";
    /** Its media type (RFC 9512). */
    static final String CONTENT_TYPE = "application/yaml";
    private final byte[] document;

    public OpenApiController() {
        try (InputStream in = OpenApiController.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                // A jar without the document is a broken build: say so rather than serve nothing.
                throw new IllegalStateException("the hub's jar lacks its OpenAPI document " + RESOURCE);
            }
            document = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Get("/api/v1/openapi.yaml")
    public HttpResponse<byte[]> openApi() {
        return HttpResponse.ok(document).contentType(CONTENT_TYPE);
    }
}
