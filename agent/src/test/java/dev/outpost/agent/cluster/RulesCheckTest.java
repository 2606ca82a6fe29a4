package dev.outpost.agent.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RulesCheckTest {
    private static final List<AgentPermissions.Rule> NEEDED = List.of(
            new AgentPermissions.Rule("", "configmaps", List.of("get", "create")),
            new AgentPermissions.Rule("apps", "deployments", List.of("get", "patch")));

    @Test
    void wildcardsGrantEverything() {
        assertThat(RulesCheck.missing(NEEDED, List.of(new RulesCheck.Granted(List.of("*"), List.of("*"), List.of("*"), null))))
                .isEmpty();
    }

    @Test
    void eachMissingVerbIsListedUnderItsResource() {
        Map<String, List<String>> missing = RulesCheck.missing(NEEDED, List.of(
                new RulesCheck.Granted(List.of(""), List.of("configmaps"), List.of("get"), List.of()),
                new RulesCheck.Granted(List.of("apps"), List.of("deployments", "statefulsets"), List.of("*"), List.of())));
        assertThat(missing).containsExactly(Map.entry("configmaps", List.of("create")));
        assertThat(RulesCheck.nothingGranted(NEEDED, missing)).isFalse();
    }

    @Test
    void aRuleForTheWrongGroupOrForNamedObjectsOnlyGrantsNothing() {
        Map<String, List<String>> missing = RulesCheck.missing(NEEDED, List.of(
                new RulesCheck.Granted(List.of("extensions"), List.of("deployments"), List.of("*"), List.of()),
                new RulesCheck.Granted(List.of(""), List.of("configmaps"), List.of("*"), List.of("only-this-one"))));
        assertThat(missing).containsExactly(Map.entry("configmaps", List.of("get", "create")),
                Map.entry("apps/deployments", List.of("get", "patch")));
        assertThat(RulesCheck.nothingGranted(NEEDED, missing)).isTrue();
    }
}
