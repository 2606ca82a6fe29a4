package dev.outpost.protocol.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.protocol.fixtures.ReleaseFixture;
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
}
