package dev.outpost.agent.logs;

import dev.outpost.agent.connection.Backoff;
import dev.outpost.agent.model.OutpostMetadata;
import dev.outpost.agent.usage.MeteredDeployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the containers to follow and keeps one follower per container: every few seconds it lists
 * the pods carrying the deployment label in each deployment's namespaces, starts following new
 * containers and stops following those whose pod is gone. At most {@code maxSources} are followed,
 * in order of deployment, namespace, pod and container; the rest are not followed (warned about).
 */
public final class LogFollowing implements AutoCloseable {
    /** How often the pods are listed again. */
    public static final Duration REDISCOVER = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(LogFollowing.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private final KubernetesClient client;
    private final Supplier<List<MeteredDeployment>> deployments;
    private final LogBuffer buffer;
    private final DeploymentMasks masks;
    private final int maxSources;
    private final Clock clock;
    private final String agent;
    private final Map<String, ContainerFollower> followers = new HashMap<>();
    private final ScheduledExecutorService rounds = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "outpost-log-discovery");
        thread.setDaemon(true);
        return thread;
    });
    private int lastBeyondLimit;
    private boolean closed;

    LogFollowing(KubernetesClient client, Supplier<List<MeteredDeployment>> deployments, LogBuffer buffer,
            DeploymentMasks masks, int maxSources, Clock clock, String agent) {
        this.client = client;
        this.deployments = deployments;
        this.buffer = buffer;
        this.masks = masks;
        this.maxSources = maxSources;
        this.clock = clock;
        this.agent = agent;
    }

    /** Discovers now and then every {@link #REDISCOVER}. */
    public void start() {
        rounds.scheduleWithFixedDelay(this::discoverQuietly, 0, REDISCOVER.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void discoverQuietly() {
        try {
            discover();
        } catch (RuntimeException e) {
            LOG.warn("cannot list the pods whose logs to follow ({}); trying again in {}s: {}", agent,
                    REDISCOVER.toSeconds(), e.toString());
        }
    }

    /**
     * One round. A deployment whose pods cannot be listed keeps its followers as they are (an API
     * error never stops a follower); the others are brought up to date.
     */
    synchronized void discover() {
        if (closed) {
            return;
        }
        List<FollowedSource> found = new ArrayList<>();
        Set<String> deploymentIds = new HashSet<>();
        Set<String> unlisted = new HashSet<>();
        for (MeteredDeployment deployment : deployments.get()) {
            deploymentIds.add(deployment.deploymentId());
            List<FollowedSource> ofDeployment = new ArrayList<>();
            try {
                for (String namespace : new TreeSet<>(deployment.namespaces())) {
                    client.pods().inNamespace(namespace)
                            .withLabel(OutpostMetadata.DEPLOYMENT_LABEL, deployment.deploymentId()).list().getItems()
                            .forEach(pod -> ofDeployment.addAll(PodSources.of(deployment.deploymentId(), pod)));
                }
                found.addAll(ofDeployment);
            } catch (KubernetesClientException e) {
                unlisted.add(deployment.deploymentId());
                LOG.warn("cannot list the pods of deployment {} to follow their logs ({}); trying again in {}s: {}",
                        deployment.deploymentId(), agent, REDISCOVER.toSeconds(), e.getMessage());
            }
        }
        found.sort(Comparator.comparing(FollowedSource::deploymentId).thenComparing(FollowedSource::namespace)
                .thenComparing(FollowedSource::pod).thenComparing(FollowedSource::container));
        Map<String, FollowedSource> wanted = new LinkedHashMap<>();
        for (FollowedSource source : found) {
            if (wanted.size() >= maxSources) {
                break;
            }
            wanted.putIfAbsent(source.key(), source);
        }
        int beyond = found.size() - wanted.size();
        if (beyond != lastBeyondLimit) {
            if (beyond > 0) {
                LOG.warn("{} containers are not followed: the agent follows at most {} (--log-max-sources) ({})",
                        beyond, maxSources, agent);
            }
            lastBeyondLimit = beyond;
        }
        deploymentIds.forEach(masks::refresh);
        masks.retain(deploymentIds);
        for (var it = followers.entrySet().iterator(); it.hasNext(); ) {
            var entry = it.next();
            if (!wanted.containsKey(entry.getKey()) && !unlisted.contains(entry.getValue().source().deploymentId())) {
                entry.getValue().stop();
                buffer.unfollow(entry.getKey());
                it.remove();
            }
        }
        if (unlisted.isEmpty()) {
            buffer.retainStored(wanted.keySet()); // only with every deployment listed: else a source may just be unseen
        }
        wanted.forEach((key, source) -> followers.computeIfAbsent(key, k -> {
            ContainerFollower follower = new ContainerFollower(client, source, buffer, clock,
                    () -> masks.of(source.deploymentId()), new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30)),
                    agent, buffer.follow(source));
            follower.start();
            return follower;
        }));
    }

    /** How many containers are followed now. */
    public synchronized int followed() {
        return followers.size();
    }

    /** Stops every follower; what they read stays in the buffer. */
    @Override
    public void close() {
        rounds.shutdownNow();
        List<ContainerFollower> stopping;
        synchronized (this) {
            closed = true;
            stopping = List.copyOf(followers.values());
            followers.clear();
        }
        stopping.forEach(ContainerFollower::stop);
        for (ContainerFollower follower : stopping) {
            try {
                follower.join(STOP_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        try {
            rounds.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
