package dev.outpost.agent.logs;

import dev.outpost.agent.config.LogOptions;
import dev.outpost.agent.connection.Backoff;
import dev.outpost.agent.usage.MeteredDeployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/** Log shipping as a whole: following the deployments' containers and the agent's own log, the bounded buffer, and the shipper. */
public final class LogShipping implements AutoCloseable {
    /** The hub acks a batch once committed; a batch unanswered this long means a stuck stream. */
    static final Duration ACK_TIMEOUT = Duration.ofMinutes(2);

    private final LogBuffer buffer;
    private final LogFollowing following;
    private final LogShipper shipper;

    private LogShipping(LogBuffer buffer, LogFollowing following, LogShipper shipper) {
        this.buffer = buffer;
        this.following = following;
        this.shipper = shipper;
    }

    /**
     * Starts following and shipping.
     *
     * @param deployments    the agent's applied deployments and their namespaces
     * @param appliedObjects the objects the agent last applied for a deployment (its Secrets are masked)
     * @param ownLog         the agent's own log, shipped as one more source (none in tests that run the agent in-process)
     * @param agent          names the agent in log lines
     */
    public static LogShipping start(LogOptions options, Path stateDir, KubernetesClient client,
            Supplier<List<MeteredDeployment>> deployments, Function<String, List<Map<String, Object>>> appliedObjects,
            Optional<AgentOwnLog> ownLog, ManagedChannel channel, Clock clock, String agent) {
        LogBuffer buffer = new LogBuffer(options.bufferMaxBytes(), new LogPositionStore(stateDir), agent);
        // followed before the containers are discovered, so its stored position is kept
        ownLog.ifPresent(own -> own.shipTo(buffer, new SecretMask(List.of(), options.maskPatterns())));
        DeploymentMasks masks = new DeploymentMasks(new SecretMask(List.of(), options.maskPatterns()), appliedObjects);
        LogFollowing following = new LogFollowing(client, deployments, buffer, masks, options.maxSources(), clock, agent);
        LogShipper shipper = new LogShipper(channel, buffer, new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1)),
                ACK_TIMEOUT, clock, agent);
        shipper.start();
        following.start();
        return new LogShipping(buffer, following, shipper);
    }

    /** Stops following, then shipping; unacknowledged lines are read again after the next start. */
    @Override
    public void close() {
        following.close();
        buffer.close();
        shipper.close();
    }
}
