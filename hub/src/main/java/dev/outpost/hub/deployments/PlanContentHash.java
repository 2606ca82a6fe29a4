package dev.outpost.hub.deployments;

import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.release.ContentHash;
import dev.outpost.protocol.v1.DeploymentPlan;
import dev.outpost.protocol.v1.PlanStep;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

/**
 * The content hash an agent reports after carrying out a plan (docs/agent-plans.md): {@link ContentHash}
 * over one line {@code <step name> <input_hash>} per step, in plan order; a step without input_hash
 * counts with its YAML's hash, or its requirement's text.
 */
final class PlanContentHash {
    private PlanContentHash() {
    }

    static String of(DeploymentPlan plan) {
        StringBuilder lines = new StringBuilder();
        for (PlanStep step : plan.getStepsList()) {
            lines.append(step.getName()).append(' ').append(input(step)).append('\n');
        }
        return ContentHash.of(lines.toString());
    }

    private static String input(PlanStep step) {
        if (!step.getInputHash().isEmpty()) {
            return step.getInputHash();
        }
        return step.getWorkCase() == PlanStep.WorkCase.OBJECTS
                ? ContentHash.of(inflate(step.getObjects().getYamlGzip().newInput()))
                : step.getInfrastructure().toString();
    }

    private static String inflate(InputStream gzip) {
        try (InputStream in = new GZIPInputStream(gzip)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer, 0, n);
                if (out.size() > GrpcLimits.MAX_RENDERED_YAML_BYTES) {
                    throw new IllegalArgumentException("a step's YAML is over the protocol's limit");
                }
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
