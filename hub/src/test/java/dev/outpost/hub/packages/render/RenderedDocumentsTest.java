package dev.outpost.hub.packages.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RenderedDocumentsTest {

    @Test
    void documentsBecomeObjectsAndTestHooksAreDropped() throws RenderFailure {
        List<RenderedObject> objects = RenderedDocuments.parse("charts/app", """
                ---
                # Source: app/templates/cm.yaml
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: a, namespace: ns}
                ---
                # Source: app/templates/empty.yaml
                ---
                # Source: app/templates/tests/ping.yaml
                apiVersion: v1
                kind: Pod
                metadata:
                  name: ping
                  annotations: {helm.sh/hook: "test-success"}
                """);

        assertThat(objects).singleElement().satisfies(o -> {
            assertThat(o.label()).isEqualTo("ConfigMap/a");
            assertThat(o.namespace()).isEqualTo("ns");
            assertThat(o.yaml()).startsWith("# Source: app/templates/cm.yaml\napiVersion: v1");
        });
    }

    @Test
    void aDocumentThatIsNotAnObjectIsRefusedNamingItsTemplate() {
        assertThat(failure("# Source: app/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata: {}\n"))
                .isEqualTo("charts/app/templates/svc.yaml: renders Service without metadata.name");
        assertThat(failure("# Source: app/templates/x.yaml\nkind: Service\n"))
                .isEqualTo("charts/app/templates/x.yaml: renders an object without apiVersion and kind");
        assertThat(failure("apiVersion: v1\nkind: List\nmetadata: {name: l}\nitems: []\n"))
                .isEqualTo("charts/app: renders a List; render its items as separate documents");
        assertThat(failure("# Source: app/templates/x.yaml\n- a\n- b\n"))
                .isEqualTo("charts/app/templates/x.yaml: renders a document that is not a Kubernetes object (not a mapping)");
        assertThat(failure("# Source: app/templates/x.yaml\na: [\n")).startsWith("charts/app/templates/x.yaml: renders YAML that does not parse");
    }

    @Test
    void objectRulesNameEachBrokenObject() {
        List<RenderedObject> objects = List.of(
                object("rbac.authorization.k8s.io/v1", "ClusterRole", null, "reader"),
                object("apiextensions.k8s.io/v1", "CustomResourceDefinition", null, "things.example.com"),
                object("v1", "ConfigMap", "other", "cm"),
                object("v1", "ConfigMap", "ns", "cm2"),
                object("v1", "ConfigMap", null, "cm2"));

        assertThat(ObjectRules.check(objects, Set.of("CustomResourceDefinition"), "ns")).containsExactly(
                "renders ClusterRole/reader, a cluster-scoped ClusterRole; add ClusterRole to clusterScopedKinds in "
                        + "outpost.yaml if the package needs it",
                "renders ConfigMap/cm in namespace 'other'; objects go to the deployment's namespace (use "
                        + ".Release.Namespace or leave it out)",
                "renders ConfigMap/cm2 more than once");
    }

    @Test
    void objectsAreOrderedSoWhatOthersNeedComesFirst() {
        List<RenderedObject> objects = new java.util.ArrayList<>(List.of(
                object("apps/v1", "StatefulSet", null, "db"), object("v1", "Service", null, "db"),
                object("example.com/v1", "Widget", null, "w"), object("v1", "ConfigMap", null, "b"),
                object("v1", "ConfigMap", null, "a"), object("v1", "Secret", null, "s")));

        objects.sort(ObjectOrder.APPLY);

        assertThat(objects).extracting(RenderedObject::label).containsExactly(
                "Secret/s", "ConfigMap/a", "ConfigMap/b", "Service/db", "StatefulSet/db", "Widget/w");
    }

    private static RenderedObject object(String apiVersion, String kind, String namespace, String name) {
        return new RenderedObject(apiVersion, kind, namespace, name, "kind: " + kind + "\n");
    }

    private static String failure(String yaml) {
        RenderFailure f = catchThrowableOfType(RenderFailure.class, () -> RenderedDocuments.parse("charts/app", yaml));
        assertThat(f).as("must be refused").isNotNull();
        return f.file() + ": " + f.getMessage();
    }
}
