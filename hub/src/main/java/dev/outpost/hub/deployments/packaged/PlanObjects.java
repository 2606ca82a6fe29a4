package dev.outpost.hub.deployments.packaged;

import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.v1.DeploymentPlan;
import dev.outpost.protocol.v1.PlanStep;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/** The objects of a plan, read back from its compressed YAML (for previews and diffs; pure). */
public final class PlanObjects {
    /** Most YAML a preview inflates over all steps, so a preview stays bounded whatever the plan. */
    public static final long MAX_TOTAL_YAML_BYTES = 4L * GrpcLimits.MAX_RENDERED_YAML_BYTES;

    private PlanObjects() {
    }

    /** A plan that cannot be read back (too large, or not YAML); the message says which step. */
    public static final class UnreadablePlanException extends Exception {
        private static final long serialVersionUID = 1L;

        UnreadablePlanException(String message) {
            super(message);
        }
    }

    /** Every object of every step, in plan order. */
    public static List<PlannedObject> of(DeploymentPlan plan) throws UnreadablePlanException {
        List<PlannedObject> objects = new ArrayList<>();
        long budget = MAX_TOTAL_YAML_BYTES;
        for (PlanStep step : plan.getStepsList()) {
            if (step.hasInfrastructure()) {
                objects.add(new PlannedObject(step.getName(), PlannedObject.INFRASTRUCTURE,
                        step.getInfrastructure().getKind(), "", step.getInfrastructure().getName(),
                        new LinkedHashMap<>(new TreeMap<>(step.getInfrastructure().getPropertiesMap()))));
            } else if (step.hasObjects()) {
                String yaml = inflate(step.getName(), step.getObjects().getYamlGzip().toByteArray(),
                        Math.min(budget, GrpcLimits.MAX_RENDERED_YAML_BYTES));
                budget -= yaml.length();
                objects.addAll(parse(step.getName(), yaml));
            }
        }
        return objects;
    }

    /** The objects of one multi-document YAML text (empty documents skipped). */
    static List<PlannedObject> parse(String step, String yaml) throws UnreadablePlanException {
        List<PlannedObject> objects = new ArrayList<>();
        try {
            for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
                if (document == null) {
                    continue;
                }
                if (!(document instanceof Map<?, ?> map)) {
                    throw new UnreadablePlanException("step " + step + ": a document is not a Kubernetes object");
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> body = (Map<String, Object>) map;
                Map<?, ?> metadata = body.get("metadata") instanceof Map<?, ?> m ? m : Map.of();
                objects.add(new PlannedObject(step, text(body.get("apiVersion")), text(body.get("kind")),
                        text(metadata.get("namespace")), text(metadata.get("name")), body));
            }
        } catch (YAMLException e) {
            throw new UnreadablePlanException("step " + step + ": its rendered YAML does not parse");
        }
        return objects;
    }

    private static String inflate(String step, byte[] gzip, long maxBytes) throws UnreadablePlanException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
            byte[] yaml = in.readNBytes(Math.toIntExact(maxBytes + 1));
            if (yaml.length > maxBytes) {
                throw new UnreadablePlanException("step " + step + " renders to more than " + maxBytes
                        + " bytes of YAML, more than a preview shows");
            }
            return new String(yaml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UnreadablePlanException("step " + step + ": its rendered objects are not gzip");
        }
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString();
    }
}
