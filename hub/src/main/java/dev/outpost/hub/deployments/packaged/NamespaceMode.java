package dev.outpost.hub.deployments.packaged;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;

/** Who owns a deployment's namespace: the agent creates one for it, or it goes to one that exists. */
public enum NamespaceMode {
    /** The agent creates the namespace for this deployment and deletes it with the deployment. */
    PER_DEPLOYMENT("per-deployment", dev.outpost.protocol.v1.NamespaceMode.NAMESPACE_MODE_PER_DEPLOYMENT),
    /** One of the agent's allowed namespaces, which exists already (the only mode of manifests releases). */
    EXISTING("existing", dev.outpost.protocol.v1.NamespaceMode.NAMESPACE_MODE_EXISTING);

    private final String json;
    private final dev.outpost.protocol.v1.NamespaceMode proto;

    NamespaceMode(String json, dev.outpost.protocol.v1.NamespaceMode proto) {
        this.json = json;
        this.proto = proto;
    }

    @JsonValue
    public String json() {
        return json;
    }

    /** As the agent receives it in ApplyDeployment.namespace_mode. */
    public dev.outpost.protocol.v1.NamespaceMode toProto() {
        return proto;
    }

    /** The mode named {@code text} as the API spells it, if it is one. */
    public static Optional<NamespaceMode> parse(String text) {
        return Arrays.stream(values()).filter(m -> m.json.equals(text)).findFirst();
    }

    /** The mode stored as {@code text} (a column the hub wrote: absent means existing). */
    public static NamespaceMode stored(String text) {
        return text == null ? EXISTING : parse(text).orElseThrow(() -> new IllegalStateException("namespace mode " + text));
    }

    @Override
    public String toString() {
        return json; // how the store binds it and how it is logged
    }
}
