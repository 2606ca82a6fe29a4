package dev.outpost.protocol.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.protocol.fixtures.ReleaseFixture;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManifestTemplateTest {

    @Test
    void rendersEveryPlaceholderWithMergedValues() {
        ReleaseFixture redis = ReleaseFixture.redisV1();
        String rendered = ManifestTemplate.render(redis.manifests(),
                Parameters.merge(redis.defaults(), Map.of("replicas", "3", "name", "cache")));

        assertThat(rendered).contains("name: cache-config", "replicas: 3", "\"64mb\"").doesNotContain("{{");
    }

    @Test
    void namesEveryMissingParameterAtOnce() {
        assertThatThrownBy(() -> ManifestTemplate.render("a: {{ x }}\nb: {{y}}\nc: {{ x }}", Map.of()))
                .isInstanceOf(TemplateException.class)
                .hasMessage("no value for parameter(s) x, y");
    }

    @Test
    void refusesValuesThatWouldAddYamlLines() {
        assertThatThrownBy(() -> ManifestTemplate.render("a: {{ x }}", Map.of("x", "1\nevil: true")))
                .isInstanceOf(TemplateException.class)
                .hasMessageContaining("line break");
    }

    @Test
    void listsPlaceholdersInOrderOfFirstUse() {
        assertThat(ManifestTemplate.placeholders("{{b}} {{ a }} {{b}} {{ outpost.namespace }}"))
                .containsExactly("b", "a", "outpost.namespace");
    }

    @Test
    void leavesDollarSignsAndBackslashesInValuesAlone() {
        assertThat(ManifestTemplate.render("p: {{ x }}", Map.of("x", "a$1\\b"))).isEqualTo("p: a$1\\b");
    }

    @Test
    void reservesBuiltInNamesForOutpost() {
        assertThatThrownBy(() -> Parameters.checkUserParameters(Map.of("outpost.namespace", "x")))
                .hasMessageContaining("reserved");
        assertThatThrownBy(() -> Parameters.checkUserParameters(Map.of("bad name", "x")))
                .hasMessageContaining("must match");
    }

    @Test
    void splitsDocumentsKeepingTheirLineNumbers() {
        String template = "# leading comment\n---\na: 1\n--- # second\nb: [\n\n---\nc: 3\n";

        assertThat(ManifestTemplate.documents(template)).containsExactly(
                new ManifestTemplate.Document(1, 1, "# leading comment\n---\na: 1\n"),
                new ManifestTemplate.Document(2, 4, "--- # second\nb: [\n\n"),
                new ManifestTemplate.Document(3, 7, "---\nc: 3\n"));
    }

    @Test
    void countsDocumentsAsYamlDoes() {
        assertThat(ManifestTemplate.documents("a: 1\n")).extracting(ManifestTemplate.Document::firstLine).containsExactly(1);
        // every "---" starts a document, even an empty one; a bare first document counts too
        assertThat(ManifestTemplate.documents("a: 1\n---\n---\nb: 2")).extracting(ManifestTemplate.Document::number)
                .containsExactly(1, 2, 3);
        assertThat(ManifestTemplate.documents("# only a comment\n")).isEmpty();
        assertThat(ManifestTemplate.documents("")).isEmpty();
        // "----" and an indented "---" are content, not document markers; CRLF line ends are lines too
        assertThat(ManifestTemplate.documents("a: |\n  ---\n----: x\r\n---\r\nb: 1\r\n"))
                .extracting(ManifestTemplate.Document::firstLine).containsExactly(1, 4);
    }

    @Test
    void standInValuesKeepEveryColumn() {
        String template = "name: {{ name }}-config\nimage: \"redis:{{tag}}\"\n";
        String checked = ManifestTemplate.withStandInValues(template);

        assertThat(checked).isEqualTo("name: xxxxxxxxxx-config\nimage: \"redis:xxxxxxx\"\n");
        assertThat(List.of(checked.split("\n", -1))).extracting(String::length)
                .containsExactlyElementsOf(List.of(template.split("\n", -1)).stream().map(String::length).toList());
    }
}
