package dev.outpost.agent.usage.custom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.protocol.usage.Meters;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the meters and forwarded metrics a release declares on its pod templates, so they work the
 * same for plain manifests, packages and Helm charts:
 * <pre>
 * outpost.dev/meters: '[{"meter": "requests.served", "unit": "request", "kind": "counter",
 *                        "metric": "http_requests_total", "labels": {"code": "200"}}]'
 * outpost.dev/metrics-forward: "http_requests_total, process_resident_memory_bytes"
 * outpost.dev/metrics-port: "9090"        # a number or a container port's name
 * outpost.dev/metrics-path: "/metrics"    # the default
 * </pre>
 * Pure: a pod in, a target or the reason it has none out.
 */
public final class MeterAnnotations {
    /** The meters, a JSON array. */
    public static final String METERS = "outpost.dev/meters";
    /** The port the workload serves its metrics on. */
    public static final String PORT = "outpost.dev/metrics-port";
    /** Metric names to forward to the hub's Prometheus endpoint, comma-separated. */
    public static final String FORWARD = "outpost.dev/metrics-forward";
    /** Most metric names one pod may forward. */
    public static final int MAX_FORWARDED = 50;
    /** The path of its metrics page; {@code /metrics} when absent. */
    public static final String PATH = "outpost.dev/metrics-path";
    /** Most meters one pod may declare. */
    public static final int MAX_METERS = 20;
    /** Longest annotation value read. */
    public static final int MAX_ANNOTATION_CHARS = 16_384;
    private static final Pattern METRIC = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]{0,199}");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]{0,99}");
    private static final Pattern PATH_TEXT = Pattern.compile("/[A-Za-z0-9._~/%-]{0,200}");
    private static final Set<String> BUILT_IN = builtInNames();
    private static final ObjectMapper JSON = new ObjectMapper();

    private MeterAnnotations() {
    }

    /** Where and what to scrape on one pod: the meters it declares, the metrics it forwards (either may be empty). */
    public record ScrapeTarget(int port, String path, List<MeterDeclaration> meters, Set<String> forwarded) {

        public ScrapeTarget {
            meters = List.copyOf(meters);
            forwarded = Set.copyOf(forwarded);
        }

        /** The metric names the meters are made of. */
        public Set<String> meteredMetrics() {
            Set<String> names = new HashSet<>();
            meters.forEach(meter -> names.add(meter.metric()));
            return names;
        }
    }

    /** A pod's target, or why its declaration cannot be used; empty-handed when it declares no meters. */
    public record Reading(Optional<ScrapeTarget> target, Optional<String> problem) {

        static Reading none() {
            return new Reading(Optional.empty(), Optional.empty());
        }

        static Reading problem(String why) {
            return new Reading(Optional.empty(), Optional.of(why));
        }
    }

    /** Reads {@code pod}'s declaration. */
    public static Reading read(Pod pod) {
        Map<String, String> annotations = pod.getMetadata() == null ? null : pod.getMetadata().getAnnotations();
        String meters = annotations == null ? null : annotations.get(METERS);
        String forward = annotations == null ? null : annotations.get(FORWARD);
        if (meters == null && forward == null) {
            return Reading.none();
        }
        List<MeterDeclaration> declared = new ArrayList<>();
        if (meters != null) {
            if (meters.length() > MAX_ANNOTATION_CHARS) {
                return Reading.problem(METERS + " is longer than " + MAX_ANNOTATION_CHARS + " characters");
            }
            Optional<String> problem = declarations(meters, declared);
            if (problem.isPresent()) {
                return Reading.problem(problem.get());
            }
        }
        Set<String> forwarded = new HashSet<>();
        if (forward != null) {
            Optional<String> problem = forwarded(forward, forwarded);
            if (problem.isPresent()) {
                return Reading.problem(problem.get());
            }
        }
        String portText = annotations.get(PORT);
        if (portText == null || portText.isBlank()) {
            return Reading.problem((meters != null ? METERS : FORWARD) + " needs " + PORT
                    + " (the port the workload serves its metrics on)");
        }
        Optional<Integer> port = port(pod, portText.strip());
        if (port.isEmpty()) {
            return Reading.problem(PORT + " must be a port number 1-65535 or the name of a container port of the pod, got '"
                    + shorten(portText) + "'");
        }
        String path = annotations.getOrDefault(PATH, "/metrics").strip();
        if (!PATH_TEXT.matcher(path).matches()) {
            return Reading.problem(PATH + " must be a path starting with '/' (letters, digits, . _ ~ / % -), got '"
                    + shorten(path) + "'");
        }
        return new Reading(Optional.of(new ScrapeTarget(port.get(), path, declared, forwarded)), Optional.empty());
    }

    private static Optional<String> forwarded(String text, Set<String> into) {
        if (text.length() > MAX_ANNOTATION_CHARS) {
            return Optional.of(FORWARD + " is longer than " + MAX_ANNOTATION_CHARS + " characters");
        }
        for (String name : text.split(",")) {
            String metric = name.strip();
            if (metric.isEmpty()) {
                continue;
            }
            if (!METRIC.matcher(metric).matches()) {
                return Optional.of(FORWARD + " must list Prometheus metric names separated by commas, got '"
                        + shorten(metric) + "'");
            }
            into.add(metric);
        }
        if (into.isEmpty()) {
            return Optional.of(FORWARD + " lists no metric");
        }
        if (into.size() > MAX_FORWARDED) {
            return Optional.of(FORWARD + " lists " + into.size() + " metrics; at most " + MAX_FORWARDED);
        }
        return Optional.empty();
    }

    private static Optional<String> declarations(String text, List<MeterDeclaration> into) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (Exception e) {
            return Optional.of(METERS + " is not JSON: " + shorten(e.getMessage()));
        }
        if (root == null || !root.isArray() || root.isEmpty()) {
            return Optional.of(METERS + " must be a non-empty JSON array of meters");
        }
        if (root.size() > MAX_METERS) {
            return Optional.of(METERS + " declares " + root.size() + " meters; at most " + MAX_METERS);
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode node = root.get(i);
            String at = METERS + "[" + i + "]";
            if (!node.isObject()) {
                return Optional.of(at + " must be an object");
            }
            for (Iterator<String> fields = node.fieldNames(); fields.hasNext(); ) {
                String field = fields.next();
                if (!Set.of("meter", "unit", "kind", "metric", "labels").contains(field)) {
                    return Optional.of(at + " has unknown field '" + shorten(field) + "' (meter, unit, kind, metric, labels)");
                }
            }
            String meter = text(node, "meter");
            if (!Meters.validName(meter)) {
                return Optional.of(at + ".meter must be a meter name (lower-case letters, digits, . _ -; at most "
                        + Meters.MAX_METER_CHARS + "), got '" + shorten(meter) + "'");
            }
            if (BUILT_IN.contains(meter)) {
                return Optional.of(at + ".meter '" + meter + "' is a built-in meter; choose another name");
            }
            if (!names.add(meter)) {
                return Optional.of(at + ".meter '" + meter + "' is declared twice");
            }
            String unit = text(node, "unit");
            if (!Meters.validUnit(unit)) {
                return Optional.of(at + ".unit must be a unit (letters, digits, . _ -; at most " + Meters.MAX_UNIT_CHARS
                        + "), got '" + shorten(unit) + "'");
            }
            String kindText = text(node, "kind");
            MeterKind kind;
            if ("counter".equals(kindText)) {
                kind = MeterKind.COUNTER;
            } else if ("gauge".equals(kindText)) {
                kind = MeterKind.GAUGE;
            } else {
                return Optional.of(at + ".kind must be counter or gauge, got '" + shorten(kindText) + "'");
            }
            String metric = text(node, "metric");
            if (metric == null || !METRIC.matcher(metric).matches()) {
                return Optional.of(at + ".metric must be a Prometheus metric name, got '" + shorten(metric) + "'");
            }
            Map<String, String> labels = new LinkedHashMap<>();
            JsonNode labelsNode = node.get("labels");
            if (labelsNode != null && !labelsNode.isNull()) {
                if (!labelsNode.isObject() || labelsNode.size() > 20) {
                    return Optional.of(at + ".labels must be an object of at most 20 label: value pairs");
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = labelsNode.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> label = it.next();
                    if (!LABEL.matcher(label.getKey()).matches() || !label.getValue().isTextual()
                            || label.getValue().asText().length() > 1000) {
                        return Optional.of(at + ".labels." + shorten(label.getKey())
                                + " must be a label name with a string value");
                    }
                    labels.put(label.getKey(), label.getValue().asText());
                }
            }
            into.add(new MeterDeclaration(meter, unit, kind, metric, labels));
        }
        return Optional.empty();
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    private static Optional<Integer> port(Pod pod, String text) {
        if (text.chars().allMatch(Character::isDigit) && text.length() <= 5) {
            int port = Integer.parseInt(text);
            return port >= 1 && port <= 65535 ? Optional.of(port) : Optional.empty();
        }
        if (pod.getSpec() == null) {
            return Optional.empty();
        }
        for (Container container : pod.getSpec().getContainers()) {
            if (container.getPorts() == null) {
                continue;
            }
            for (ContainerPort port : container.getPorts()) {
                if (text.equals(port.getName()) && port.getContainerPort() != null) {
                    return Optional.of(port.getContainerPort());
                }
            }
        }
        return Optional.empty();
    }

    private static String shorten(String text) {
        if (text == null) {
            return "";
        }
        String oneLine = text.replace('\n', ' ');
        return oneLine.length() <= 80 ? oneLine : oneLine.substring(0, 80) + "…";
    }

    private static Set<String> builtInNames() {
        Set<String> names = new HashSet<>();
        Meters.BUILT_IN.forEach(meter -> names.add(meter.name().toLowerCase(Locale.ROOT)));
        Meters.ACTUAL_USE.forEach(meter -> names.add(meter.name().toLowerCase(Locale.ROOT)));
        return Set.copyOf(names);
    }
}
