package dev.outpost.hub.access;

import dev.outpost.hub.ops.OpenApiController;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The capability each REST operation needs, read from its {@code x-outpost-capability} in the API
 * description the hub serves: one place says what an operation is, for the docs, the access check
 * and the access-matrix test. A /api/v1 operation without one stops the hub at start.
 */
@Singleton
public class RouteCapabilities {
    private static final String EXTENSION = "x-outpost-capability";
    private static final List<String> METHODS = List.of("get", "post", "put", "patch", "delete");

    /** One operation: its method, its path as a pattern, literal segments counted for precedence. */
    private record Route(String method, Pattern path, int literals, Capability capability) {
    }

    private final List<Route> routes;

    public RouteCapabilities() {
        this(load());
    }

    RouteCapabilities(Map<String, Object> document) {
        this.routes = routes(document);
    }

    /**
     * The capability an operation needs, for a request's method (HEAD as GET) and path; empty when no
     * documented /api/v1 operation matches (the router then answers 404 or 405).
     */
    public Optional<Capability> required(String method, String path) {
        String wanted = "HEAD".equalsIgnoreCase(method) ? "get" : method.toLowerCase(Locale.ROOT);
        Route best = null;
        for (Route route : routes) {
            if (route.method().equals(wanted) && route.path().matcher(path).matches()
                    && (best == null || route.literals() > best.literals())) {
                best = route;
            }
        }
        return Optional.ofNullable(best).map(Route::capability);
    }

    @SuppressWarnings("unchecked")
    private static List<Route> routes(Map<String, Object> document) {
        List<Route> found = new ArrayList<>();
        Map<String, Object> paths = (Map<String, Object>) document.get("paths");
        for (Map.Entry<String, Object> path : paths.entrySet()) {
            if (!path.getKey().startsWith("/api/v1/") || path.getKey().equals("/api/v1/openapi.yaml")) {
                continue;
            }
            Map<String, Object> operations = (Map<String, Object>) path.getValue();
            for (String method : METHODS) {
                Map<String, Object> operation = (Map<String, Object>) operations.get(method);
                if (operation == null) {
                    continue;
                }
                Object name = operation.get(EXTENSION);
                Capability capability = name == null ? null : Capability.named(name.toString()).orElse(null);
                if (capability == null) {
                    throw new IllegalStateException("API description: " + method.toUpperCase(Locale.ROOT) + " "
                            + path.getKey() + " has no valid " + EXTENSION + " (" + name + ")");
                }
                found.add(new Route(method, pattern(path.getKey()), literals(path.getKey()), capability));
            }
        }
        return List.copyOf(found);
    }

    private static Pattern pattern(String template) {
        StringBuilder regex = new StringBuilder();
        for (String segment : template.substring(1).split("/")) {
            regex.append('/').append(segment.startsWith("{") ? "[^/]+" : Pattern.quote(segment));
        }
        return Pattern.compile(regex.toString());
    }

    private static int literals(String template) {
        int count = 0;
        for (String segment : template.substring(1).split("/")) {
            count += segment.startsWith("{") ? 0 : 1;
        }
        return count;
    }

    private static Map<String, Object> load() {
        try (InputStream in = RouteCapabilities.class.getResourceAsStream(OpenApiController.RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the API description " + OpenApiController.RESOURCE + " is missing");
            }
            return new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the API description", e);
        }
    }
}
