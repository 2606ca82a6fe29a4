package dev.outpost.agent.metrics;

import dev.outpost.agent.usage.MeteredDeployment;
import dev.outpost.agent.usage.custom.MeterAnnotations;
import dev.outpost.agent.usage.custom.PodMetricsScraper;
import dev.outpost.agent.usage.custom.ProblemLog;
import dev.outpost.protocol.v1.DeploymentMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every interval, reads the Kubernetes state of each applied deployment and sends the round to the
 * hub. A deployment that cannot be read is left out of the round (its series go stale at the hub
 * after 5 minutes); that is logged once when it starts and once when it ends, not every round.
 */
public final class MetricsSampler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsSampler.class);

    private final Supplier<List<MeteredDeployment>> deployments;
    private final DeploymentStateReader reader;
    private final PodMetricsScraper scraper;
    private final MetricsSender sender;
    private final Clock clock;
    private final String agent;
    private final Set<String> unreadable = new HashSet<>();
    private final ProblemLog forwardProblems = new ProblemLog();
    private final ScheduledExecutorService timer;

    /**
     * @param deployments what the agent has applied now, with their namespaces
     * @param agent names the agent in log lines
     */
    public MetricsSampler(Supplier<List<MeteredDeployment>> deployments, DeploymentStateReader reader,
            PodMetricsScraper scraper, MetricsSender sender, Clock clock, String agent) {
        this.deployments = deployments;
        this.reader = reader;
        this.scraper = scraper;
        this.sender = sender;
        this.clock = clock;
        this.agent = agent;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "outpost-metrics-sampler");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Samples every {@code interval}, the first time right away, until closed. */
    public void start(Duration interval) {
        timer.scheduleWithFixedDelay(() -> {
            try {
                sampleAndSend();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // the next round tries again: a sampler that died would leave the hub's series stale for good
                LOG.warn("metrics: sampling round failed ({}): {}", agent, e.toString());
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One round: samples every applied deployment, sends them; returns the deployments the hub stored, -1 if unsent. */
    public int sampleAndSend() throws InterruptedException {
        List<DeploymentMetrics> round = sample();
        return sender.send(round, clock.millis());
    }

    /** The samples of every applied deployment that could be read now, with what their pods forward. */
    public List<DeploymentMetrics> sample() throws InterruptedException {
        List<DeploymentMetrics> round = new ArrayList<>();
        List<MeteredDeployment> applied = deployments.get();
        forwardProblems.retain(applied.stream().map(MeteredDeployment::deploymentId).toList());
        for (MeteredDeployment deployment : applied) {
            String id = deployment.deploymentId();
            try {
                DeploymentState state = reader.read(deployment);
                round.add(withForwarded(id, DeploymentSample.of(id, state), state));
                if (unreadable.remove(id)) {
                    LOG.info("metrics: deployment {} can be read again ({})", id, agent);
                }
            } catch (RuntimeException e) {
                if (unreadable.add(id)) {
                    LOG.warn("metrics: cannot read the state of deployment {} in {}; left out of samples until it can "
                            + "({}): {}", id, deployment.namespaces(), agent, e.toString());
                }
            }
        }
        return round;
    }

    private DeploymentMetrics withForwarded(String deploymentId, DeploymentMetrics sample, DeploymentState state)
            throws InterruptedException {
        PodMetricsScraper.Round scraped = scraper.scrape(state.pods(), MeterAnnotations.ScrapeTarget::forwarded);
        forwardProblems.fresh(deploymentId, scraped.problems()).forEach(problem -> LOG.warn(
                "metrics: forwarded metrics of deployment {}: {} ({})", deploymentId, problem, agent));
        if (scraped.scrapes().isEmpty()) {
            return sample;
        }
        ScrapedSamples.Forwarded forwarded = ScrapedSamples.of(scraped.scrapes());
        return sample.toBuilder().addAllScraped(forwarded.samples()).setScrapedOmitted(forwarded.omitted()).build();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sender.close();
        scraper.close();
    }
}
