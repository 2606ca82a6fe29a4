package dev.outpost.hub.packages.plan;

import dev.outpost.hub.packages.PackageRenderException;
import dev.outpost.hub.packages.manifest.ComponentSpec;
import dev.outpost.hub.packages.manifest.GateSpec;
import dev.outpost.hub.packages.render.RenderedObject;
import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.Sha256;
import dev.outpost.protocol.release.RenderedObjectsGzip;
import dev.outpost.protocol.v1.HealthGate;
import dev.outpost.protocol.v1.HttpProbe;
import dev.outpost.protocol.v1.InfrastructureRequirement;
import dev.outpost.protocol.v1.JobSucceeded;
import dev.outpost.protocol.v1.PlanStep;
import dev.outpost.protocol.v1.RenderedObjects;
import dev.outpost.protocol.v1.WorkloadsReady;
import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds one plan step from a component: its objects as gzip'ed YAML (within GrpcLimits) or its
 * infrastructure requirement, its gate, and {@code input_hash} over both, so that the agent can tell a
 * step it already carried out from one that changed.
 */
public final class StepBuilder {
    private StepBuilder() {
    }

    /** A step applying {@code objects} (already in apply order). */
    public static PlanStep objects(ComponentSpec component, List<RenderedObject> objects) throws PackageRenderException {
        StringBuilder yaml = new StringBuilder();
        for (RenderedObject o : objects) {
            yaml.append("---\n").append(o.yaml());
        }
        byte[] bytes = yaml.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length > GrpcLimits.MAX_RENDERED_YAML_BYTES) {
            throw new PackageRenderException(component.name(), "component " + component.name() + " renders "
                    + bytes.length + " bytes of YAML; at most " + GrpcLimits.MAX_RENDERED_YAML_BYTES + " are allowed", null);
        }
        byte[] gzip = RenderedObjectsGzip.gzip(bytes);
        if (gzip.length > GrpcLimits.MAX_RENDERED_GZIP_BYTES) {
            throw new PackageRenderException(component.name(), "component " + component.name() + " renders "
                    + gzip.length + " bytes once compressed; at most " + GrpcLimits.MAX_RENDERED_GZIP_BYTES
                    + " are allowed", null);
        }
        HealthGate gate = gate(component.gate());
        return PlanStep.newBuilder()
                .setName(component.name())
                .addAllDependsOn(component.dependsOn())
                .setObjects(RenderedObjects.newBuilder().setYamlGzip(ByteString.copyFrom(gzip)).setYamlBytes(bytes.length))
                .setGate(gate)
                .setInputHash(hash("objects", bytes, gate))
                .build();
    }

    /** A step making {@code kind}/{@code name} exist with the given (already resolved) properties. */
    public static PlanStep infrastructure(ComponentSpec component, String kind, String name, Map<String, String> properties) {
        InfrastructureRequirement.Builder requirement = InfrastructureRequirement.newBuilder().setKind(kind).setName(name);
        StringBuilder canonical = new StringBuilder(kind).append('\n').append(name).append('\n');
        new TreeMap<>(properties).forEach((k, v) -> {
            requirement.putProperties(k, v);
            canonical.append(k).append('=').append(v.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
        });
        HealthGate gate = gate(component.gate());
        return PlanStep.newBuilder()
                .setName(component.name())
                .addAllDependsOn(component.dependsOn())
                .setInfrastructure(requirement)
                .setGate(gate)
                .setInputHash(hash("infrastructure", canonical.toString().getBytes(StandardCharsets.UTF_8), gate))
                .build();
    }

    /** The protocol's gate for a component's gate. */
    static HealthGate gate(GateSpec spec) {
        HealthGate.Builder gate = HealthGate.newBuilder().setTimeoutSeconds(spec.timeoutSeconds());
        switch (spec.check()) {
            case GateSpec.WorkloadsReady ignored -> gate.setWorkloadsReady(WorkloadsReady.getDefaultInstance());
            case GateSpec.JobSucceeded job -> gate.setJobSucceeded(JobSucceeded.newBuilder().setJobName(job.name()));
            case GateSpec.Http http -> gate.setHttp(HttpProbe.newBuilder().setUrl(http.url()));
            case null -> { } // infrastructure: the provider says when the item is ready
        }
        return gate.build();
    }

    /** "sha256:<hex>" over the step's kind, content and gate. */
    static String hash(String kind, byte[] content, HealthGate gate) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((kind + "\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(content);
        out.writeBytes(("\ngate\n" + HexFormat.of().formatHex(gate.toByteArray())).getBytes(StandardCharsets.UTF_8));
        return "sha256:" + Sha256.hex(out.toByteArray());
    }
}
