package dev.outpost.agent.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestParserTest {

    @Test
    void keepsDocumentNumbersAcrossEmptyDocuments() {
        List<ManifestDocument> documents = ManifestParser.parse("""
                # leading comment
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: first
                data:
                  port: "6379"
                ---
                # only a comment
                ---
                apiVersion: example.com/v1
                kind: Widget
                metadata:
                  name: second
                spec:
                  size: 3
                """);

        assertThat(documents).extracting(ManifestDocument::number).containsExactly(1, 3);
        assertThat(documents.get(0).object().getKind()).isEqualTo("ConfigMap");
        assertThat((String) documents.get(0).object().get("data", "port")).isEqualTo("6379");
        assertThat((Object) documents.get(1).object().get("spec", "size")).isEqualTo(3);
        assertThat(documents.get(1).describe()).isEqualTo("document 3 (Widget/second)");
    }

    @Test
    void namesTheDocumentThatLacksAField() {
        String yaml = """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: ok
                ---
                apiVersion: v1
                metadata:
                  name: no-kind
                """;
        assertThatThrownBy(() -> ManifestParser.parse(yaml))
                .isInstanceOf(PlanException.class).hasMessage("document 2 has no kind");
        assertThatThrownBy(() -> ManifestParser.parse("kind: ConfigMap\nmetadata:\n  name: x\n"))
                .hasMessage("document 1 has no apiVersion");
        assertThatThrownBy(() -> ManifestParser.parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n"))
                .hasMessage("document 1 has no metadata.name");
    }

    @Test
    void refusesDocumentsThatAreNotObjects() {
        assertThatThrownBy(() -> ManifestParser.parse("- just\n- a list\n"))
                .isInstanceOf(PlanException.class)
                .hasMessage("document 1 is not a Kubernetes object (a YAML mapping)");
    }

    @Test
    void reportsBrokenYamlWithItsDocument() {
        String yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\nkey: [unclosed\n";
        assertThatThrownBy(() -> ManifestParser.parse(yaml))
                .isInstanceOf(PlanException.class)
                .hasMessageStartingWith("document 2 is not valid YAML");
    }

    @Test
    void emptyTextHasNoObjects() {
        assertThat(ManifestParser.parse("# nothing here\n")).isEmpty();
    }
}
