package dev.outpost.agent.drift;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.outpost.agent.model.ObjectRef;
import java.util.Map;

/** One object exactly as the agent last applied it (its JSON tree), the reference drift is measured against. */
public record AppliedObject(String apiVersion, String kind, String namespace, String name, Map<String, Object> body) {

    public AppliedObject {
        body = Map.copyOf(body);
    }

    /** The applied object, taken from the tree the agent sent. */
    @SuppressWarnings("unchecked")
    public static AppliedObject of(Map<String, Object> body) {
        Map<String, Object> metadata = (Map<String, Object>) body.getOrDefault("metadata", Map.of());
        return new AppliedObject(String.valueOf(body.get("apiVersion")), String.valueOf(body.get("kind")),
                (String) metadata.get("namespace"), String.valueOf(metadata.get("name")), body);
    }

    @JsonIgnore
    public ObjectRef ref() {
        return new ObjectRef(apiVersion, kind, namespace, name);
    }
}
