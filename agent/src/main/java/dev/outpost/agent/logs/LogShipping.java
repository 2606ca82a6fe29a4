package dev.outpost.agent.logs;

import dev.outpost.agent.config.LogOptions;
import dev.outpost.agent.connection.Backoff;
import dev.outpost.agent.usage.MeteredDeployment;
import dev.outpost.protocol.ProtocolRevision;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Log shipping as a whole: following the deployments' containers and the agent's own log, the bounded buffer, and the shipper. */
public final class LogShipping implements AutoCloseable {
    /** The hub acks a batch once committed; a batch unanswered this long means a stuck stream. */
    static final Duration ACK_TIMEOUT = Duration.ofMinutes(2);

    private static final Logger LOG = LoggerFactory.getLogger(LogShipping.class);

    private final LogBuffer buffer;
    private final LogFollowing following;
    private final LogShipper shipper;
    private final Optional<AgentOwnLog> ownLog;
    private final SecretMask ownLogMask;
    private final String agent;

    private LogShipping(LogBuffer buffer, LogFollowing following, LogShipper shipper, Optional<AgentOwnLog> ownLog,
            SecretMask ownLogMask, String agent) {
        this.buffer = buffer;
        this.following = following;
        this.shipper = shipper;
        this.ownLog = ownLog;
        this.ownLogMask = ownLogMask;
        this.agent = agent;
    }

    /**
     * Starts following and shipping.
     *
     * @param deployments    the agent's applied deployments and their namespaces
     * @param appliedObjects the objects the agent last applied for a deployment (its Secrets are masked)
     * @param ownLog         the agent's own log, shipped as one more source once a hub that takes it welcomes the
     *                       agent ({@link #hubRevision}); none in tests that run the agent in-process
     * @param agent          names the agent in log lines
     */
    public static LogShipping start(LogOptions options, Path stateDir, KubernetesClient client,
            Supplier<List<MeteredDeployment>> deployments, Function<String, List<Map<String, Object>>> appliedObjects,
            Optional<AgentOwnLog> ownLog, ManagedChannel channel, Clock clock, String agent) {
        LogBuffer buffer = new LogBuffer(options.bufferMaxBytes(), new LogPositionStore(stateDir), agent);
        DeploymentMasks masks = new DeploymentMasks(new SecretMask(List.of(), options.maskPatterns()), appliedObjects);
        LogFollowing following = new LogFollowing(client, deployments, buffer, masks, options.maxSources(), clock, agent);
        LogShipper shipper = new LogShipper(channel, buffer, new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1)),
                ACK_TIMEOUT, clock, agent);
        shipper.start();
        following.start();
        return new LogShipping(buffer, following, shipper, ownLog, new SecretMask(List.of(), options.maskPatterns()), agent);
    }

    /**
     * The hub welcomed the agent at {@code revision}: from {@link ProtocolRevision#AGENT_OWN_LOG} on
     * the agent's own log is shipped; an older hub would refuse it (and the batches it is in), so
     * then it is not captured any more.
     */
    public void hubRevision(int revision) {
        ownLog.ifPresent(own -> {
            if (revision >= ProtocolRevision.AGENT_OWN_LOG) {
                own.shipTo(buffer, ownLogMask);
            } else if (own.stopCapturing()) {
                LOG.info("the hub speaks protocol revision {}, before the agent's own log ({}): not shipping it ({})",
                        revision, ProtocolRevision.AGENT_OWN_LOG, agent);
            }
        });
    }

    /** Stops following, then shipping; unacknowledged lines are read again after the next start. */
    @Override
    public void close() {
        ownLog.ifPresent(AgentOwnLog::close);
        following.close();
        buffer.close();
        shipper.close();
    }
}
