package dev.outpost.e2e.fleet;

import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A fleet of {@link SimulatedAgent}s in one JVM, against one hub's gateway on loopback. All agents
 * share one Netty event loop group, one gRPC callback executor and one scheduler (heartbeats,
 * backoff, simulated apply latency), so a fleet of thousands costs a handful of threads, not one per
 * agent. Enrolments run at most {@code enrolParallelism} at a time.
 *
 * <p>Each agent holds one connection; against a loopback hub agents dial from 16 source addresses
 * (127.0.0.2–17), so a fleet is not bounded by the ephemeral ports of one source address (about
 * 28,000 by Linux's default range), only by this process's open files.
 */
public final class FleetSimulator implements SimulatedFleet {
    /** What every agent of a fleet shares. */
    record Shared(EventLoopGroup eventLoops, ExecutorService callbacks, ScheduledExecutorService scheduler,
            Duration backoffCap) {
    }

    /** What an agent needs to enrol: a join token and the hub CA fingerprint that came with it. */
    public record Invitation(String joinToken, String caFingerprint) {
    }

    private final List<String> gateways;
    private final SimulatedCluster.Behaviour behaviour;
    private final int enrolParallelism;
    private final Shared shared;
    private final FleetCounters counters = new FleetCounters();
    private final List<SimulatedAgent> agents = new ArrayList<>();

    /**
     * @param gatewayAddress the hub's agent gateway, {@code host:port}
     * @param threads        event loop threads (and as many callback threads) shared by all agents
     */
    public FleetSimulator(String gatewayAddress, SimulatedCluster.Behaviour behaviour, int enrolParallelism, int threads) {
        this(gatewayAddress, behaviour, enrolParallelism, threads, SimulatedAgent.AGENT_BACKOFF_CAP);
    }

    /**
     * As above, with another cap on the reconnect backoff than the real agent's 60 s (e.g. a shorter one
     * so that a test's fleet is back sooner after a hub restart).
     */
    public FleetSimulator(String gatewayAddress, SimulatedCluster.Behaviour behaviour, int enrolParallelism, int threads,
            Duration backoffCap) {
        this(List.of(gatewayAddress), behaviour, enrolParallelism, threads, backoffCap);
    }

    /**
     * A fleet spread over several gateways (hub replicas): agent {@code i} enrols at and stays with
     * {@code gatewayAddresses[i % n]}, as agents behind one address per replica would.
     */
    public FleetSimulator(List<String> gatewayAddresses, SimulatedCluster.Behaviour behaviour, int enrolParallelism,
            int threads, Duration backoffCap) {
        this.gateways = List.copyOf(gatewayAddresses);
        this.behaviour = behaviour;
        this.enrolParallelism = enrolParallelism;
        this.shared = new Shared(new NioEventLoopGroup(threads, daemons("fleet-io")),
                Executors.newFixedThreadPool(threads, daemons("fleet-callback")),
                Executors.newScheduledThreadPool(2, daemons("fleet-timer")), backoffCap);
    }

    public FleetCounters counters() {
        return counters;
    }

    public synchronized List<SimulatedAgent> agents() {
        return List.copyOf(agents);
    }

    /**
     * Enrols {@code count} new agents, at most {@code enrolParallelism} at a time; {@code invite} is
     * called on the enrolling worker with the agent's index and returns its invitation (e.g. creates an
     * environment and a join token at the hub's REST API). Each agent opens its control stream as soon
     * as it is enrolled. Returns the agents once all are enrolled; fails on the first refusal.
     */
    public List<SimulatedAgent> enrolAndConnect(int count, IntFunction<Invitation> invite) throws InterruptedException {
        ExecutorService workers = Executors.newFixedThreadPool(enrolParallelism, daemons("fleet-enrol"));
        List<Future<SimulatedAgent>> enrolments = new ArrayList<>();
        int first;
        synchronized (this) {
            first = agents.size();
        }
        try {
            for (int i = 0; i < count; i++) {
                int index = first + i;
                enrolments.add(workers.submit(() -> {
                    long begin = System.nanoTime();
                    Invitation invitation = invite.apply(index);
                    long invited = System.nanoTime() - begin;
                    String gateway = gateways.get(index % gateways.size());
                    int colon = gateway.lastIndexOf(':');
                    SimulatedAgent agent = new SimulatedAgent("sim-" + index, index, gateway.substring(0, colon),
                            Integer.parseInt(gateway.substring(colon + 1)), shared,
                            new SimulatedCluster(behaviour, shared.scheduler()), counters);
                    agent.enroll(invitation.joinToken(), invitation.caFingerprint());
                    counters.enrolmentTimed(invited, agent.enrollNanos());
                    synchronized (this) {
                        agents.add(agent);
                    }
                    agent.start();
                    return agent;
                }));
            }
            List<SimulatedAgent> enrolled = new ArrayList<>();
            for (Future<SimulatedAgent> enrolment : enrolments) {
                try {
                    enrolled.add(enrolment.get());
                } catch (ExecutionException e) {
                    throw new IllegalStateException("an enrolment failed: " + e.getCause(), e.getCause());
                }
            }
            return enrolled;
        } finally {
            workers.shutdownNow();
        }
    }

    @Override
    public List<String> enrol(int count, IntFunction<Invitation> invite) throws InterruptedException {
        return enrolAndConnect(count, invite).stream().map(SimulatedAgent::agentId).toList();
    }

    @Override
    public void redialAll(int parallelism, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        Semaphore dialling = new Semaphore(parallelism);
        List<CompletableFuture<Void>> welcomes = new ArrayList<>();
        for (SimulatedAgent agent : agents()) {
            if (!dialling.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("redialling: " + parallelism + " agents still not welcomed after " + patience);
            }
            CompletableFuture<Void> welcomed = agent.redial();
            welcomed.whenComplete((ignored, error) -> dialling.release());
            welcomes.add(welcomed);
        }
        try {
            CompletableFuture.allOf(welcomes.toArray(CompletableFuture[]::new))
                    .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
            long waiting = welcomes.stream().filter(w -> !w.isDone()).count();
            throw new IllegalStateException("redialling: " + waiting + " agents not welcomed again after " + patience, e);
        }
    }

    @Override
    public FleetCounters.Totals totals() {
        return counters.totals();
    }

    @Override
    public Map<String, Long> streamEndsByCode() {
        return counters.streamEndsByCode();
    }

    @Override
    public Map<String, long[]> timings() {
        return counters.timings();
    }

    @Override
    public List<Long> pids() {
        return List.of(ProcessHandle.current().pid());
    }

    /** Stops every agent and the shared threads. */
    @Override
    public void close() {
        for (SimulatedAgent agent : agents()) {
            agent.stop();
        }
        shared.scheduler().shutdownNow();
        shared.eventLoops().shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        shared.callbacks().shutdownNow();
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger next = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + next.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
