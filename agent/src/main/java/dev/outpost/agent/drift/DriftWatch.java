package dev.outpost.agent.drift;

import dev.outpost.agent.controls.PauseSwitch;
import dev.outpost.agent.model.ObjectRef;
import dev.outpost.agent.model.OutpostMetadata;
import dev.outpost.protocol.v1.DriftPolicy;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches what the agent applied and reports (and under policy HEAL, undoes) changes made by anyone
 * else.
 *
 * <p>One informer per kind and namespace, label-selected on {@code app.kubernetes.io/managed-by=outpost}
 * and shared by every deployment with objects there (at most {@link #MAX_INFORMERS}). Informer events
 * only mark objects dirty (a bounded set: on overflow everything is re-checked once); a single worker
 * thread re-checks dirty objects {@link #DEBOUNCE} after the first event, so a burst of changes is one
 * report. Each object is compared with the form the agent applied ({@link ObjectDiff}); the resulting
 * list is kept in the state directory ({@link DriftStateStore}) and sent as one
 * {@code DriftReport} per deployment, at most {@link #REPORTS_PER_TICK} a second, when a stream is open;
 * after a Welcome everything the hub may not have is sent again. Heals are bounded per object by a
 * {@link HealLimiter}.
 *
 * <p>All state is the worker's: listener calls and events only hand it work.
 */
public final class DriftWatch implements AppliedObjectsListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DriftWatch.class);
    static final Duration DEBOUNCE = Duration.ofMillis(300);
    static final int MAX_DIRTY = 10_000;
    static final int MAX_INFORMERS = 200;
    static final int REPORTS_PER_TICK = 10;
    static final Duration REPORT_TICK = Duration.ofSeconds(1);
    /** A safety net for a missed event: informers replay their cache this often. */
    static final Duration RESYNC = Duration.ofMinutes(5);
    static final int MAX_HEALS = 5;
    /** The protocol revision that has DriftReport. */
    static final int DRIFT_REVISION = 2;
    private static final Duration LISTENER_WAIT = Duration.ofSeconds(30);

    private final KubernetesClient client;
    private final DriftStateStore store;
    private final String fieldManager;
    private final Clock clock;
    private final HealLimiter limiter;
    private final PauseSwitch pause;
    private final ScheduledExecutorService worker;
    private volatile DriftOutlet outlet = report -> false;
    private volatile boolean hubSpeaksDrift;

    // The worker's state.
    private final Map<String, TrackedDeployment> tracked = new HashMap<>();
    private final Map<String, String> ownerOf = new HashMap<>();
    private final Map<InformerKey, SharedIndexInformer<GenericKubernetesResource>> informers = new HashMap<>();
    private final Set<String> toReport = new LinkedHashSet<>();
    private final Set<String> gaveUp = new HashSet<>();
    private boolean reportTickScheduled;

    // Shared with command and informer threads.
    private final Set<InformerKey> synced = ConcurrentHashMap.newKeySet();
    private final Set<String> paused = ConcurrentHashMap.newKeySet();
    private final Set<String> dirty = new LinkedHashSet<>();
    private boolean flushScheduled;
    private boolean overflow;

    public DriftWatch(KubernetesClient client, Path stateDir, String fieldManager, Clock clock) {
        this(client, stateDir, fieldManager, clock, new HealLimiter(clock, MAX_HEALS, Duration.ofSeconds(2),
                Duration.ofMinutes(1), Duration.ofMinutes(10), () -> ThreadLocalRandom.current().nextDouble()));
    }

    DriftWatch(KubernetesClient client, Path stateDir, String fieldManager, Clock clock, HealLimiter limiter) {
        this.client = client;
        this.store = new DriftStateStore(stateDir);
        this.pause = new PauseSwitch(stateDir);
        this.fieldManager = fieldManager;
        this.clock = clock;
        this.limiter = limiter;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "outpost-drift");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Where reports go; until set, nothing is sent (and everything is sent after the first Welcome). */
    public void setOutlet(DriftOutlet outlet) {
        this.outlet = outlet;
    }

    /** Loads the drift state of earlier runs and starts watching it. */
    public void start() {
        worker.execute(() -> {
            for (TrackedDeployment deployment : store.all()) {
                tracked.put(deployment.deploymentId(), deployment);
            }
            LOG.info("Watching {} deployments for drift", tracked.size());
            rebuild();
        });
    }

    /**
     * A stream was welcomed with this protocol revision: from revision 2 on, send every report the hub
     * may not have (all non-empty ones and unsent ones); a revision 1 hub is sent none.
     */
    public void connected(int protocolRevision) {
        hubSpeaksDrift = protocolRevision >= DRIFT_REVISION;
        if (!hubSpeaksDrift) {
            return;
        }
        worker.execute(() -> tracked.values().stream()
                .filter(d -> !d.reported() || !d.drift().isEmpty())
                .forEach(d -> queueReport(d.deploymentId())));
    }

    /** The current drift of a deployment as it would be reported (for tests and diagnostics). */
    public Optional<TrackedDeployment> state(String deploymentId) {
        try {
            return worker.submit(() -> Optional.ofNullable(tracked.get(deploymentId))).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void applying(String deploymentId) {
        paused.add(deploymentId);
    }

    @Override
    public void applied(String deploymentId, List<Map<String, Object>> objects, List<ObjectRef> owned,
                        DriftPolicy policy) {
        onWorker(() -> {
            Map<String, AppliedObject> byIdentity = new LinkedHashMap<>();
            Set<String> ownedNow = new HashSet<>();
            owned.forEach(ref -> ownedNow.add(ref.identity()));
            TrackedDeployment previous = tracked.get(deploymentId);
            if (previous != null) {
                previous.objects().stream().filter(o -> ownedNow.contains(o.ref().identity()))
                        .forEach(o -> byIdentity.put(o.ref().identity(), o));
                previous.objects().forEach(o -> forgetHeals(o.ref().identity()));
            }
            for (Map<String, Object> object : objects) {
                AppliedObject applied = AppliedObject.of(object);
                if (ownedNow.contains(applied.ref().identity())) {
                    byIdentity.put(applied.ref().identity(), applied);
                }
            }
            TrackedDeployment.Policy mode = policy == DriftPolicy.DRIFT_POLICY_HEAL
                    ? TrackedDeployment.Policy.HEAL : TrackedDeployment.Policy.REPORT;
            // A new apply clears the drift; the hub clears it too when the result arrives.
            TrackedDeployment next = new TrackedDeployment(deploymentId, mode, List.copyOf(byIdentity.values()),
                    List.of(), previous == null || previous.drift().isEmpty());
            replace(deploymentId, next);
            paused.remove(deploymentId);
            byIdentity.keySet().forEach(this::mark);
            LOG.info("deployment {}: watching {} objects for drift (policy {})", deploymentId, byIdentity.size(), mode);
        });
    }

    @Override
    public void notApplied(String deploymentId) {
        onWorker(() -> {
            // The cluster holds parts of two releases now: nothing to compare with until the next apply.
            TrackedDeployment previous = tracked.get(deploymentId);
            if (previous != null) {
                previous.objects().forEach(o -> forgetHeals(o.ref().identity()));
                replace(deploymentId, new TrackedDeployment(deploymentId, previous.policy(), List.of(), List.of(),
                        previous.drift().isEmpty()));
            }
            paused.remove(deploymentId);
        });
    }

    @Override
    public void deleted(String deploymentId) {
        onWorker(() -> {
            TrackedDeployment previous = tracked.remove(deploymentId);
            if (previous != null) {
                previous.objects().forEach(o -> forgetHeals(o.ref().identity()));
            }
            try {
                store.remove(deploymentId);
            } catch (IOException e) {
                LOG.warn("deployment {}: cannot remove drift state: {}", deploymentId, e.toString());
            }
            toReport.remove(deploymentId);
            rebuild();
            paused.remove(deploymentId);
        });
    }

    /**
     * Runs a listener call on the worker and waits for it: the next command for the deployment (and
     * its {@link #applying}) must find this one's outcome in place, or a late resume would unpause it.
     */
    private void onWorker(Runnable task) {
        try {
            worker.submit(task).get(LISTENER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
            LOG.warn("drift watch did not take a command's outcome: {}", e.toString());
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
        informers.values().forEach(SharedIndexInformer::close);
    }

    // ---- events -> dirty set -> worker

    private void mark(String identity) {
        synchronized (dirty) {
            if (dirty.size() >= MAX_DIRTY) {
                overflow = true;
            } else {
                dirty.add(identity);
            }
            if (flushScheduled) {
                return;
            }
            flushScheduled = true;
        }
        schedule(this::flush, DEBOUNCE);
    }

    private void flush() {
        List<String> batch;
        synchronized (dirty) {
            batch = overflow ? new ArrayList<>(ownerOf.keySet()) : new ArrayList<>(dirty);
            dirty.clear();
            overflow = false;
            flushScheduled = false;
        }
        for (String identity : batch) {
            try {
                evaluate(identity);
            } catch (RuntimeException e) {
                LOG.warn("cannot check {} for drift: {}", identity, e.toString());
            }
        }
    }

    private void evaluate(String identity) {
        String deploymentId = ownerOf.get(identity);
        if (deploymentId == null || paused.contains(deploymentId)) {
            return; // not ours any more, or the agent is changing it right now
        }
        TrackedDeployment deployment = tracked.get(deploymentId);
        AppliedObject applied = deployment.object(identity).orElse(null);
        if (applied == null || !synced.contains(InformerKey.of(applied.ref()))) {
            return; // checked once the informer has listed everything
        }
        Optional<DriftEntry> previous = deployment.entry(identity);
        Optional<DriftEntry> next = DriftRules.evaluate(applied, live(applied), previous, clock.millis());
        if (next.isPresent() && !next.get().healed() && !next.equals(previous)) {
            DriftEntry entry = next.get();
            LOG.info("deployment {}: drift on {}: {} {}", deploymentId, applied.ref().describe(null),
                    entry.change(), entry.fields());
        }
        if (deployment.policy() == TrackedDeployment.Policy.HEAL && next.isPresent() && !next.get().healed()) {
            Optional<PauseSwitch.Pause> paused = pause.current();
            if (paused.isPresent()) {
                // Reported, not healed: the customer stopped the agent from changing anything.
                LOG.info("deployment {}: not healing {}: paused by the customer ({})", deploymentId,
                        applied.ref().describe(null), paused.get().reason());
            } else {
                next = Optional.of(heal(deploymentId, applied, next.get()));
            }
        }
        replace(deploymentId, deployment.withEntry(identity, next));
    }

    /** The live object: from the informer's cache, or (not in it: deleted, or its label removed) from the API server. */
    private Map<String, Object> live(AppliedObject applied) {
        InformerKey key = InformerKey.of(applied.ref());
        SharedIndexInformer<GenericKubernetesResource> informer = informers.get(key);
        GenericKubernetesResource live = informer == null ? null
                : informer.getStore().getByKey(applied.namespace() + "/" + applied.name());
        if (live == null) {
            live = resource(applied).get();
        }
        return live == null ? null : toMap(live);
    }

    // ---- heal

    private DriftEntry heal(String deploymentId, AppliedObject applied, DriftEntry entry) {
        String identity = applied.ref().identity();
        HealLimiter.Decision decision = limiter.decide(identity);
        switch (decision) {
            case HealLimiter.Decision.WaitUntil wait -> {
                schedule(() -> mark(identity), Duration.between(clock.instant(), wait.at()));
                return entry;
            }
            case HealLimiter.Decision.GiveUp giveUp -> {
                if (gaveUp.add(identity)) {
                    LOG.warn("deployment {}: {} was put back {} times and changed again each time; leaving it "
                            + "drifted (something else manages it) until the deployment is applied again",
                            deploymentId, applied.ref().describe(null), giveUp.heals());
                }
                return entry;
            }
            case HealLimiter.Decision.HealNow now -> {
                if (paused.contains(deploymentId)) {
                    return entry; // an apply started meanwhile: it puts the object back itself
                }
                limiter.healed(identity);
                try {
                    GenericKubernetesResource result = resource(applied).fieldManager(fieldManager).forceConflicts()
                            .serverSideApply();
                    List<String> still = ObjectDiff.differingFields(applied.body(), toMap(result));
                    if (still.isEmpty()) {
                        LOG.info("deployment {}: healed {} ({}) {} ms after it was seen", deploymentId,
                                applied.ref().describe(null), entry.change(), clock.millis() - entry.detectedAtMs());
                        return entry.asHealed();
                    }
                    LOG.warn("deployment {}: re-applied {} but {} still differ", deploymentId,
                            applied.ref().describe(null), still);
                } catch (KubernetesClientException e) {
                    // The code and reason only: an API server's message can quote the object, Secrets too.
                    LOG.warn("deployment {}: cannot heal {}: HTTP {} {}", deploymentId, applied.ref().describe(null),
                            e.getCode(), e.getStatus() == null ? "" : e.getStatus().getReason());
                }
                schedule(() -> mark(identity), Duration.ofSeconds(1)); // the limiter paces the next try
                return entry;
            }
        }
    }

    private Resource<GenericKubernetesResource> resource(AppliedObject applied) {
        GenericKubernetesResource object = client.getKubernetesSerialization()
                .convertValue(applied.body(), GenericKubernetesResource.class);
        return client.genericKubernetesResources(applied.apiVersion(), applied.kind())
                .inNamespace(applied.namespace()).resource(object);
    }

    // ---- state and reports

    private void replace(String deploymentId, TrackedDeployment next) {
        TrackedDeployment previous = tracked.put(deploymentId, next);
        if (next.equals(previous)) {
            return;
        }
        if (previous == null || !previous.objects().equals(next.objects())) {
            rebuild();
        }
        save(next);
        if (!next.reported()) {
            queueReport(deploymentId);
        }
    }

    private void queueReport(String deploymentId) {
        toReport.add(deploymentId);
        if (!reportTickScheduled) {
            reportTickScheduled = true;
            worker.execute(this::sendReports);
        }
    }

    private void sendReports() {
        reportTickScheduled = false;
        Iterator<String> ids = toReport.iterator();
        int sent = 0;
        while (ids.hasNext() && sent < REPORTS_PER_TICK) {
            TrackedDeployment deployment = tracked.get(ids.next());
            ids.remove();
            if (deployment == null) {
                continue;
            }
            if (!hubSpeaksDrift || !outlet.send(deployment.report())) {
                toReport.clear(); // no stream: connected() queues them again after the next Welcome
                return;
            }
            sent++;
            LOG.debug("deployment {}: drift report sent ({} objects)", deployment.deploymentId(),
                    deployment.drift().size());
            TrackedDeployment reported = deployment.markReported();
            tracked.put(deployment.deploymentId(), reported);
            save(reported);
        }
        if (!toReport.isEmpty()) {
            reportTickScheduled = true;
            schedule(this::sendReports, REPORT_TICK);
        }
    }

    private void save(TrackedDeployment deployment) {
        try {
            store.save(deployment);
        } catch (IOException e) {
            LOG.warn("deployment {}: cannot save drift state (it is reported anyway): {}",
                    deployment.deploymentId(), e.toString());
        }
    }

    private void forgetHeals(String identity) {
        limiter.reset(identity);
        gaveUp.remove(identity);
    }

    // ---- informers

    /** Re-indexes objects by identity, starts informers that are missing and stops those no longer needed. */
    private void rebuild() {
        ownerOf.clear();
        Set<InformerKey> needed = new LinkedHashSet<>();
        tracked.values().forEach(d -> d.objects().forEach(o -> {
            ownerOf.put(o.ref().identity(), d.deploymentId());
            if (o.namespace() != null) {
                needed.add(InformerKey.of(o.ref()));
            }
        }));
        informers.entrySet().removeIf(entry -> {
            if (needed.contains(entry.getKey())) {
                return false;
            }
            entry.getValue().close();
            synced.remove(entry.getKey());
            return true;
        });
        for (InformerKey key : needed) {
            if (!informers.containsKey(key)) {
                if (informers.size() >= MAX_INFORMERS) {
                    LOG.warn("not watching {} for drift: already {} informers", key, MAX_INFORMERS);
                    continue;
                }
                startInformer(key);
            }
        }
    }

    private void startInformer(InformerKey key) {
        try {
            SharedIndexInformer<GenericKubernetesResource> informer = client
                    .genericKubernetesResources(key.apiVersion(), key.kind()).inNamespace(key.namespace())
                    .withLabel(OutpostMetadata.MANAGED_BY_LABEL, OutpostMetadata.MANAGED_BY)
                    .runnableInformer(RESYNC.toMillis());
            informer.addEventHandler(new ResourceEventHandler<>() {
                @Override
                public void onAdd(GenericKubernetesResource object) {
                    changed(key, object);
                }

                @Override
                public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
                    changed(key, after);
                }

                @Override
                public void onDelete(GenericKubernetesResource object, boolean finalStateUnknown) {
                    changed(key, object);
                }
            });
            informers.put(key, informer);
            informer.start().whenComplete((done, error) -> {
                if (error != null) {
                    LOG.warn("cannot watch {} for drift: {}", key, error.toString());
                    return;
                }
                synced.add(key);
                worker.execute(() -> ownerOf.keySet().stream()
                        .filter(identity -> identityIn(key, identity)).forEach(this::mark));
            });
        } catch (KubernetesClientException | IllegalArgumentException e) {
            LOG.warn("cannot watch {} for drift: {}", key, e.getMessage());
        }
    }

    private void changed(InformerKey key, GenericKubernetesResource object) {
        mark(key.ref(object.getMetadata().getName()).identity());
    }

    private static boolean identityIn(InformerKey key, String identity) {
        String prefix = key.ref("").identity(); // "group/kind/namespace/": names never hold a '/'
        return identity.startsWith(prefix) && identity.indexOf('/', prefix.length()) < 0;
    }

    private void schedule(Runnable task, Duration delay) {
        try {
            worker.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> toMap(GenericKubernetesResource object) {
        return client.getKubernetesSerialization().convertValue(object, Map.class);
    }
}
