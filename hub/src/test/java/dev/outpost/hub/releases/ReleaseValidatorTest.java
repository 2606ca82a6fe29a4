package dev.outpost.hub.releases;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.hub.api.ApiException;
import dev.outpost.hub.api.Problem;
import dev.outpost.hub.api.Validation;
import dev.outpost.protocol.GrpcLimits;
import dev.outpost.protocol.fixtures.ReleaseFixture;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReleaseValidatorTest {

    @Test
    void acceptsTheSampleReleases() {
        for (ReleaseFixture fixture : List.of(ReleaseFixture.redisV1(), ReleaseFixture.redisV2())) {
            assertThat(errors(fixture.serviceName(), fixture.version(), fixture.manifests(), fixture.defaults())).isEmpty();
        }
    }

    @Test
    void namesEveryProblemOfABadRelease() {
        List<Problem.FieldError> errors = errors("Bad_Name", "latest", "kind: ConfigMap\nmetadata:\n  name: x\n",
                Map.of("outpost.version", "1"));

        assertThat(errors).extracting(Problem.FieldError::field)
                .containsExactlyInAnyOrder("/serviceName", "/version", "/defaultParameters/outpost.version", "/manifests");
        assertThat(errors).filteredOn(e -> e.field().equals("/manifests")).first()
                .extracting(Problem.FieldError::message).asString().contains("apiVersion");
    }

    @Test
    void refusesManifestsThatAreNotKubernetesObjects() {
        assertThat(manifestErrors("just text")).first().asString().contains("mapping");
        assertThat(manifestErrors("apiVersion: v1\nkind: Pod\nmetadata: {}\n")).first().asString().contains("metadata.name");
        assertThat(manifestErrors("a: [")).first().asString().contains("not valid YAML");
        assertThat(manifestErrors("---\n---\n")).first().asString().contains("at least one");
        assertThat(manifestErrors("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\nkind: Secret\n"))
                .singleElement().asString().startsWith("document 2:");
        assertThat(manifestErrors("x".repeat(GrpcLimits.MAX_MANIFESTS_CHARS + 1))).first().asString().contains("at most");
    }

    @Test
    void manifestsAreBoundedByTheirUtf8BytesToo() {
        // '€' is one character but three bytes in UTF-8: within the character limit, over the byte limit
        String manifests = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  text: \""
                + "€".repeat(ReleaseValidator.MAX_MANIFESTS_BYTES / 3 + 1) + "\"\n";
        assertThat(manifests.length()).isLessThan(GrpcLimits.MAX_MANIFESTS_CHARS);

        assertThat(manifestErrors(manifests)).singleElement().asString()
                .isEqualTo("must be at most " + ReleaseValidator.MAX_MANIFESTS_BYTES + " bytes in UTF-8");
        assertThat(manifestErrors(manifests.replace('€', 'e'))).isEmpty();
    }

    @Test
    void placeholdersInNamesStillCheckOut() {
        assertThat(manifestErrors("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"{{ name }}-config\"\n")).isEmpty();
    }

    @Test
    void versionsAreSemanticVersions() {
        assertThat(ReleaseValidator.VERSION.matcher("1.2.3").matches()).isTrue();
        assertThat(ReleaseValidator.VERSION.matcher("v2.0.0-rc.1+build.5").matches()).isTrue();
        assertThat(ReleaseValidator.VERSION.matcher("1.2").matches()).isFalse();
        assertThat(ReleaseValidator.VERSION.matcher("01.2.3").matches()).isFalse();
    }

    private static List<String> manifestErrors(String manifests) {
        return errors("svc", "1.0.0", manifests, Map.of()).stream().map(Problem.FieldError::message).toList();
    }

    private static List<Problem.FieldError> errors(String service, String version, String manifests,
                                                   Map<String, String> defaults) {
        Validation v = new Validation();
        ReleaseValidator.validate(v, service, version, manifests, defaults);
        try {
            v.throwIfInvalid();
            return List.of();
        } catch (ApiException e) {
            return e.errors();
        }
    }
}
