package dev.outpost.testcluster;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects a {@link KubeCluster} into test constructors, lifecycle methods and test methods
 * ({@code @ExtendWith(KubeClusterExtension.class)}).
 *
 * <p>One cluster per test run (per JVM), not per class: starting a control plane takes seconds, and
 * a real cluster is shared by design, so tests isolate themselves by working in their own namespaces
 * ({@link KubeCluster#newNamespace}) rather than by owning a cluster. Cluster-scoped objects a test
 * creates (CRDs, ClusterRoles, nodes) must be named uniquely for the same reason.
 *
 * <p>The cluster is started lazily, on the first test that asks for it, and lives in the root
 * extension context's store as an {@link AutoCloseable}, which JUnit closes when the whole run ends,
 * whether tests passed or not. A failed start is remembered, so later tests fail at once with the
 * same cause instead of trying again.
 */
public final class KubeClusterExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(KubeClusterExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == KubeCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return cluster(context);
    }

    /** The run's cluster, started on first use; for extensions and code that holds an ExtensionContext. */
    public static KubeCluster cluster(ExtensionContext context) {
        SharedCluster shared = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(SharedCluster.class, type -> SharedCluster.start(), SharedCluster.class);
        return shared.get();
    }

    /** The run's cluster or why it could not start; closed by JUnit at the end of the run. */
    private static final class SharedCluster implements AutoCloseable {
        private final KubeCluster cluster;
        private final RuntimeException failure;

        private SharedCluster(KubeCluster cluster, RuntimeException failure) {
            this.cluster = cluster;
            this.failure = failure;
        }

        static SharedCluster start() {
            try {
                return new SharedCluster(KubeCluster.start(), null);
            } catch (RuntimeException e) {
                return new SharedCluster(null, e);
            }
        }

        KubeCluster get() {
            if (failure != null) {
                throw new ParameterResolutionException("the test Kubernetes cluster did not start: " + failure.getMessage(),
                        failure);
            }
            return cluster;
        }

        @Override
        public void close() {
            if (cluster != null) {
                cluster.close();
            }
        }
    }
}
