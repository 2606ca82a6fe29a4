package dev.outpost.e2e.fleet;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Simulated agents as the benchmark sees them, in this JVM ({@link FleetSimulator}) or spread over
 * simulator processes ({@link FleetWorkers}) when one process may not hold them all (it may keep at
 * most 20,000 open files here, one per agent).
 */
interface SimulatedFleet extends AutoCloseable {
    /**
     * Enrols {@code count} agents, agent {@code i} with {@code invite.apply(i)}, and opens their streams;
     * returns their agent ids, in index order, once all are enrolled.
     */
    List<String> enrol(int count, IntFunction<FleetSimulator.Invitation> invite) throws InterruptedException;

    /**
     * Every agent drops its connection and dials again at once ({@link SimulatedAgent#redial}), at most
     * {@code parallelism} dialling at a time over the whole fleet; returns once all are welcomed again.
     */
    void redialAll(int parallelism, Duration patience) throws InterruptedException;

    /** The counts of all agents now. */
    FleetCounters.Totals totals();

    /** Stream ends by kind, summed over all agents. */
    Map<String, Long> streamEndsByCode();

    /** For every command key, {@code [first received, first answered]} in {@link System#nanoTime()}. */
    Map<String, long[]> timings();

    /** The processes the agents run in (for CPU and memory). */
    List<Long> pids();
}
