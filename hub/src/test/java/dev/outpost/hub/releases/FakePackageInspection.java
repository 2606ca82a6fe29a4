package dev.outpost.hub.releases;

import dev.outpost.hub.packages.InspectedPackage;
import dev.outpost.hub.packages.PackageInspection;
import dev.outpost.hub.packages.PackageProblem;
import dev.outpost.hub.packages.PackageRejectedException;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A fake of the package inspection for the catalogue's own tests, so they do not depend on the package
 * format: the "archive" is text lines {@code key=value} ({@code service}, {@code version},
 * {@code plans=a,b}, {@code secret=name}) and each {@code refuse=file:problem} line is a problem.
 * Only in contexts that set {@link #PROPERTY}.
 */
@Singleton
@Replaces(PackageInspection.class)
@Requires(property = FakePackageInspection.PROPERTY, value = "true")
class FakePackageInspection implements PackageInspection {
    static final String PROPERTY = "outpost.test.fake-package-inspection";

    /** A package the fake accepts. */
    static byte[] accepted(String service, String version, String... extraLines) {
        StringBuilder text = new StringBuilder("service=" + service + "\nversion=" + version
                + "\nplans=small,large\nsecret=password\n");
        Arrays.stream(extraLines).forEach(line -> text.append(line).append('\n'));
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public InspectedPackage inspect(byte[] archive) throws PackageRejectedException {
        Map<String, String> values = new LinkedHashMap<>();
        List<PackageProblem> problems = new ArrayList<>();
        for (String line : new String(archive, StandardCharsets.UTF_8).split("\n")) {
            String[] kv = line.split("=", 2);
            if (kv.length != 2) {
                continue;
            }
            if (kv[0].equals("refuse")) {
                String[] fileProblem = kv[1].split(":", 2);
                problems.add(new PackageProblem(fileProblem[0], fileProblem[1]));
            } else {
                values.put(kv[0], kv[1]);
            }
        }
        if (!problems.isEmpty()) {
            throw new PackageRejectedException(problems);
        }
        List<String> plans = List.of(values.getOrDefault("plans", "small").split(","));
        String secret = values.getOrDefault("secret", "password");
        String manifest = "{\"service\":\"" + values.get("service") + "\",\"version\":\"" + values.get("version")
                + "\",\"description\":\"A fake service.\",\"parameters\":{\"type\":\"object\",\"properties\":{"
                + "\"replicas\":{\"type\":\"integer\",\"minimum\":1},\"" + secret
                + "\":{\"type\":\"string\",\"secret\":true}}}}";
        return new InspectedPackage(values.get("service"), values.get("version"), archive, manifest, plans,
                plans.getFirst(), Set.of(secret));
    }
}
