package dev.outpost.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** docs/charts.md has a row for every value of both charts, so a new value cannot go undocumented. */
class ChartValuesDocumentedTest {
    private static final Path DOC = Path.of("..", "docs", "charts.md").toAbsolutePath().normalize();

    @Test
    void everyValueOfBothChartsHasARow() throws IOException {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        for (Path chart : List.of(Charts.AGENT, Charts.HUB)) {
            Map<String, Object> values = new Yaml().load(Files.readString(chart.resolve("values.yaml"), StandardCharsets.UTF_8));

            assertThat(undocumented("", values, doc)).as("values of %s missing from %s", chart.getFileName(), DOC).isEmpty();
        }
    }

    /** Paths neither named in a row nor made of named children (a row may cover a whole object, such as resources). */
    @SuppressWarnings("unchecked")
    private static List<String> undocumented(String prefix, Map<String, Object> values, String doc) {
        List<String> missing = new ArrayList<>();
        values.forEach((key, value) -> {
            String path = prefix + key;
            if (doc.contains("| `" + path + "`") || doc.contains(", `" + path + "`")) {
                return;
            }
            if (value instanceof Map<?, ?> children && !children.isEmpty()) {
                missing.addAll(undocumented(path + ".", (Map<String, Object>) children, doc));
            } else {
                missing.add(path);
            }
        });
        return missing;
    }
}
