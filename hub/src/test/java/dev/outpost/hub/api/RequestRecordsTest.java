package dev.outpost.hub.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.hub.Application;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every request body of every controller is bound strictly: a new endpoint cannot forget it. */
class RequestRecordsTest {

    @Test
    void everyBodyIsAStrictRequestRecord() throws Exception {
        List<String> bodies = new ArrayList<>();
        List<String> lenient = new ArrayList<>();
        for (Class<?> controller : controllers()) {
            for (Method method : controller.getDeclaredMethods()) {
                for (Parameter parameter : method.getParameters()) {
                    if (parameter.isAnnotationPresent(Body.class)) {
                        Class<?> type = parameter.getType();
                        String where = controller.getSimpleName() + "." + method.getName() + "(" + type.getSimpleName() + ")";
                        bodies.add(where);
                        if (!type.isRecord() || !type.isAnnotationPresent(StrictRequest.class)) {
                            lenient.add(where);
                        }
                    }
                }
            }
        }
        assertThat(bodies).hasSizeGreaterThanOrEqualTo(7); // tenants, tokens, environments, join tokens, releases, deployments x2
        assertThat(lenient).as("@Body parameters that are not @StrictRequest records").isEmpty();
    }

    /** The classes annotated @Controller in the hub's compiled main classes. */
    private static List<Class<?>> controllers() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Path.of(Application.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Class<?>> controllers = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class") && !f.toString().contains("$")).toList()) {
                String name = root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".")
                        .replaceAll("\\.class$", "");
                if (name.startsWith("dev.outpost.hub.")) {
                    Class<?> type = Class.forName(name, false, RequestRecordsTest.class.getClassLoader());
                    if (type.isAnnotationPresent(Controller.class)) {
                        controllers.add(type);
                    }
                }
            }
        }
        assertThat(controllers).hasSizeGreaterThanOrEqualTo(7);
        return controllers;
    }
}
