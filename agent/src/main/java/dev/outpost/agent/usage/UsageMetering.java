package dev.outpost.agent.usage;

import dev.outpost.agent.connection.Backoff;
import dev.outpost.agent.usage.custom.CounterBaseline;
import dev.outpost.agent.usage.custom.CustomMeters;
import dev.outpost.agent.usage.custom.MeterAnnotations;
import dev.outpost.agent.usage.custom.PodMetricsScraper;
import dev.outpost.agent.usage.custom.ProblemLog;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At the end of every grid window, measures each applied deployment once and spools the records.
 * Windows missed while the agent was down (or paused) are measured too, up to the catch-up, with the
 * state read now: the keys of a window do not depend on when it is measured, so the hub stores it once.
 */
public final class UsageMetering implements AutoCloseable {
    /** Reads of one deployment per round before its windows are given up as unmeasured. */
    static final int READ_ATTEMPTS = 3;
    /** Most custom-counter baselines one agent keeps (about 150 bytes each in the spool state). */
    static final int MAX_COUNTER_BASELINES = 50_000;
    private static final Logger LOG = LoggerFactory.getLogger(UsageMetering.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    private final UsageGrid grid;
    private final Duration catchUp;
    private final Supplier<List<MeteredDeployment>> deployments;
    private final UsageReader reader;
    private final UsageMeter meter;
    private final UsageSpool spool;
    private final PodMetricsScraper scraper;
    private final Clock clock;
    private final String agent;
    private final Object wake = new Object();
    private final AtomicLong customMeterProblems = new AtomicLong();
    private final ProblemLog problemLog = new ProblemLog();
    private volatile boolean stopping;
    private Thread thread;

    /**
     * @param deployments what the agent has applied now, with their namespaces
     * @param agent names the agent in log lines
     */
    public UsageMetering(UsageGrid grid, Duration catchUp, Supplier<List<MeteredDeployment>> deployments,
            UsageReader reader, UsageMeter meter, UsageSpool spool, PodMetricsScraper scraper, Clock clock, String agent) {
        this.grid = grid;
        this.catchUp = catchUp;
        this.deployments = deployments;
        this.reader = reader;
        this.meter = meter;
        this.spool = spool;
        this.scraper = scraper;
        this.clock = clock;
        this.agent = agent;
    }

    /** Starts measuring at every window end, on a thread of its own. */
    public synchronized void start() {
        thread = new Thread(this::loop, "outpost-usage-meter");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (!stopping) {
            try {
                measureDue();
                long wakeAt = grid.nextWindowEnd(clock.millis());
                // waits on the clock, not a fixed period: a late wake-up (GC pause, suspended VM) finds
                // the missed windows due and measures each of them
                while (!stopping && clock.millis() < wakeAt) {
                    synchronized (wake) {
                        wake.wait(Math.max(1, Math.min(wakeAt - clock.millis(), 1000)));
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                // the spool could not be written: nothing was marked measured, the next round tries again
                LOG.error("usage metering round failed; its windows stay due ({}): {}", agent, e.toString(), e);
                try {
                    synchronized (wake) {
                        wake.wait(grid.intervalMs());
                    }
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /**
     * Measures every due window of every applied deployment now and spools the records; returns the
     * records spooled. A round cut short by {@link #close} writes nothing, leaving its windows due.
     */
    public int measureDue() throws IOException, InterruptedException {
        List<UsageWindow> windows = grid.due(spool.lastMeasuredWindowEnd(), clock.millis(), catchUp);
        if (windows.isEmpty()) {
            return 0;
        }
        List<SpooledRecord> records = new ArrayList<>();
        long unmeasured = 0;
        SpoolState before = spool.state();
        Map<String, Map<String, CounterBaseline>> previous = CustomMeters.byDeployment(before.counterBaselines());
        List<MeteredDeployment> applied = deployments.get();
        problemLog.retain(applied.stream().map(MeteredDeployment::deploymentId).toList());
        Map<String, CounterBaseline> baselines = new TreeMap<>();
        long scrapedAt = clock.millis();
        for (MeteredDeployment deployment : applied) {
            Optional<UsageSnapshot> snapshot = readWithRetries(deployment, windows.getLast());
            if (stopping) {
                return 0;
            }
            String id = deployment.deploymentId();
            if (snapshot.isEmpty()) {
                unmeasured += windows.size();
                // not read: its counters keep their baselines, their increase is billed in a later round
                baselines.putAll(previous.getOrDefault(id, Map.of()));
                continue;
            }
            for (UsageWindow window : windows) {
                records.addAll(meter.measure(id, window, snapshot.get()));
            }
            // actual use is a sample of now: it stands for the latest window only, never for windows
            // caught up after a gap (those have no actual-use record: unmeasured, not zero)
            UsageMeter.ActualUse actual = meter.measureActual(id, windows.getLast(), snapshot.get());
            records.addAll(actual.records());
            List<String> problems = new ArrayList<>(actual.problems());
            records.addAll(measureCustom(id, windows, snapshot.get(), previous.getOrDefault(id, Map.of()),
                    before.countersScrapedAtMs(), baselines, problems));
            reportProblems(id, problems);
        }
        UsageSpool.Spooled spooled = spool.write(records, windows.getLast().endMs(), unmeasured,
                new UsageSpool.Counters(baselines, scrapedAt));
        if (windows.size() > 1) {
            LOG.info("usage: measured {} windows up to {} (caught up after a gap, with the current state) ({})",
                    windows.size(), windows.getLast(), agent);
        }
        LOG.debug("usage: window {}: {} records spooled in {} batches ({})", windows.getLast(), spooled.recordsWritten(),
                spooled.batchesWritten(), agent);
        return spooled.recordsWritten();
    }

    /**
     * The meters the deployment's pods declare, scraped now; adds the baselines to keep to {@code baselines}
     * and what went wrong to {@code problems}.
     */
    private List<SpooledRecord> measureCustom(String deploymentId, List<UsageWindow> windows, UsageSnapshot snapshot,
            Map<String, CounterBaseline> previous, long lastScrapeMs, Map<String, CounterBaseline> baselines,
            List<String> problems) throws InterruptedException {
        PodMetricsScraper.Round round = scraper.scrape(snapshot.pods(), MeterAnnotations.ScrapeTarget::meteredMetrics);
        if (round.scrapes().isEmpty() && round.problems().isEmpty()) {
            return List.of();
        }
        CustomMeters.Measured measured = CustomMeters.measure(meter.agentId(), deploymentId, windows, round.scrapes(), previous,
                lastScrapeMs);
        int before = problems.size();
        problems.addAll(round.problems());
        problems.addAll(measured.problems());
        int room = MAX_COUNTER_BASELINES - baselines.size();
        if (measured.baselines().size() > room) {
            // bounded state: the counters beyond it start over from a fresh baseline once there is room
            problems.add("more than " + MAX_COUNTER_BASELINES + " counter baselines on this agent; "
                    + (measured.baselines().size() - Math.max(0, room)) + " of this deployment's not kept");
            measured.baselines().entrySet().stream().limit(Math.max(0, room))
                    .forEach(entry -> baselines.put(entry.getKey(), entry.getValue()));
        } else {
            baselines.putAll(measured.baselines());
        }
        customMeterProblems.addAndGet(problems.size() - before);
        return measured.records();
    }

    private void reportProblems(String deploymentId, List<String> problems) {
        problemLog.fresh(deploymentId, problems).forEach(problem ->
                LOG.warn("usage: meters of deployment {}: {} ({})", deploymentId, problem, agent));
    }

    /** Problems met with custom meters since start: declarations that cannot be used, pods that did not answer. */
    public long meterProblemsTotal() {
        return customMeterProblems.get();
    }

    private Optional<UsageSnapshot> readWithRetries(MeteredDeployment deployment, UsageWindow window)
            throws InterruptedException {
        // retries stay well inside the window, so the next window's round is not delayed
        Duration cap = Duration.ofMillis(Math.max(1, Math.min(10_000, grid.intervalMs() / 4)));
        Backoff backoff = new Backoff(Duration.ofMillis(Math.min(1000, cap.toMillis())), cap);
        for (int attempt = 1; ; attempt++) {
            try {
                return Optional.of(reader.read(deployment));
            } catch (RuntimeException e) {
                if (attempt >= READ_ATTEMPTS || stopping) {
                    LOG.warn("usage: cannot read the pods of deployment {} in {} ({} attempts): window {} NOT measured, "
                            + "no usage recorded for it ({}): {}", deployment.deploymentId(), deployment.namespaces(),
                            attempt, window, agent, e.toString());
                    return Optional.empty();
                }
                synchronized (wake) {
                    wake.wait(Math.max(1, backoff.next().toMillis()));
                }
            }
        }
    }

    /** Stops after the round in progress has finished its spool write (or was abandoned unwritten). */
    @Override
    public void close() {
        stopping = true;
        synchronized (wake) {
            wake.notifyAll();
        }
        Thread running;
        synchronized (this) {
            running = thread;
        }
        if (running != null) {
            try {
                running.join(STOP_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        scraper.close();
    }
}
