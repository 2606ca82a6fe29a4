package dev.outpost.agent.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits rendered multi-document YAML into Kubernetes objects. Every object stays generic (no typed
 * model in between), so what is applied is exactly what the release says, field for field.
 */
public final class ManifestParser {
    private static final ObjectReader YAML = new YAMLMapper().readerFor(JsonNode.class);
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private ManifestParser() {
    }

    /**
     * The objects in document order; empty documents (only comments, or "---" twice) are skipped but
     * still counted, so document numbers match what an author sees in the file.
     *
     * @throws PlanException for YAML that does not parse, a document that is not a mapping, or an
     *     object without apiVersion, kind or metadata.name
     */
    public static List<ManifestDocument> parse(String yaml) {
        List<ManifestDocument> documents = new ArrayList<>();
        int number = 1;
        try (MappingIterator<JsonNode> nodes = YAML.readValues(yaml)) {
            for (; nodes.hasNextValue(); number++) {
                JsonNode node = nodes.nextValue();
                if (node == null || node.isNull() || node.isMissingNode()) {
                    continue;
                }
                if (!node.isObject()) {
                    throw new PlanException("document " + number + " is not a Kubernetes object (a YAML mapping)");
                }
                documents.add(new ManifestDocument(number, toObject(number, node)));
            }
        } catch (JsonProcessingException e) {
            throw new PlanException("document " + number + " is not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new PlanException("the rendered manifests cannot be read: " + e.getMessage());
        }
        return documents;
    }

    private static GenericKubernetesResource toObject(int number, JsonNode node) {
        GenericKubernetesResource object;
        try {
            object = SERIALIZATION.convertValue(node, GenericKubernetesResource.class);
        } catch (IllegalArgumentException e) {
            throw new PlanException("document " + number + " is not a Kubernetes object: " + e.getMessage());
        }
        requireText(number, object.getApiVersion(), "apiVersion");
        requireText(number, object.getKind(), "kind");
        requireText(number, object.getMetadata() == null ? null : object.getMetadata().getName(), "metadata.name");
        return object;
    }

    private static void requireText(int number, String value, String field) {
        if (value == null || value.isBlank()) {
            throw new PlanException("document " + number + " has no " + field);
        }
    }
}
