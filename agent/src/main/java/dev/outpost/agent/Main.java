package dev.outpost.agent;

import dev.outpost.agent.cluster.ClusterAccessException;
import dev.outpost.agent.cluster.ClusterCondition;
import dev.outpost.agent.cluster.ClusterPreflight;
import dev.outpost.agent.cluster.KubeClusterFacts;
import dev.outpost.agent.cluster.KubeconfigLoader;
import dev.outpost.agent.commands.ApprovalHolds;
import dev.outpost.agent.commands.CommandDispatcher;
import dev.outpost.agent.commands.FinishedCommands;
import dev.outpost.agent.config.AgentCommandLine;
import dev.outpost.agent.config.AgentConfig;
import dev.outpost.agent.config.AgentVersion;
import dev.outpost.agent.config.MetricsOptions;
import dev.outpost.agent.config.UsageException;
import dev.outpost.agent.tls.CaBundleTrust;
import dev.outpost.agent.config.UsageOptions;
import dev.outpost.agent.connection.Backoff;
import dev.outpost.agent.connection.ControlConnection;
import dev.outpost.agent.connection.HubChannels;
import dev.outpost.agent.tls.RotatingKeyManager;
import dev.outpost.agent.drift.DriftWatch;
import dev.outpost.agent.controls.ApprovalInbox;
import dev.outpost.agent.controls.ControlsCommandLine;
import dev.outpost.agent.controls.PauseSwitch;
import dev.outpost.agent.controls.PausedCondition;
import dev.outpost.agent.deploy.KubeDeploymentExecutor;
import dev.outpost.agent.enrollment.EnrollmentClient;
import dev.outpost.agent.enrollment.EnrollmentException;
import dev.outpost.agent.identity.AgentCredentials;
import dev.outpost.agent.identity.CertificateExpiry;
import dev.outpost.agent.identity.CertificateRenewal;
import dev.outpost.agent.identity.HubTrustUpdates;
import dev.outpost.agent.identity.IdentityFiles;
import dev.outpost.agent.infra.InfrastructureProvider;
import dev.outpost.agent.infra.NoInfrastructureProvider;
import dev.outpost.agent.infra.TestInfrastructureProvider;
import dev.outpost.agent.ledger.CommandLedger;
import dev.outpost.agent.drift.AppliedObject;
import dev.outpost.agent.logs.AgentOwnLog;
import dev.outpost.agent.logs.LogShipping;
import dev.outpost.agent.metrics.AgentHealth;
import dev.outpost.agent.metrics.AgentMetrics;
import dev.outpost.agent.metrics.KubeDeploymentStateReader;
import dev.outpost.agent.metrics.MetricsSampler;
import dev.outpost.agent.metrics.MetricsSender;
import dev.outpost.agent.metrics.MetricsEndpoint;
import dev.outpost.agent.namespaces.KubeNamespaceProvisioner;
import dev.outpost.agent.usage.KubeUsageReader;
import dev.outpost.agent.usage.MetricsApiReader;
import dev.outpost.agent.usage.UsageGrid;
import dev.outpost.agent.usage.UsageMeter;
import dev.outpost.agent.usage.UsageMetering;
import dev.outpost.agent.usage.UsageSender;
import dev.outpost.agent.usage.UsageSpool;
import dev.outpost.agent.usage.custom.PodMetricsScraper;
import dev.outpost.protocol.v1.AgentMessage;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the Outpost agent: enrols on first start, then keeps the control stream to the hub open. */
public final class Main {
    /** Exit code for a refused or failed enrolment, or a broken state folder. */
    static final int EXIT_FAILURE = 1;
    /** Exit code for a wrong command line. */
    static final int EXIT_USAGE = 2;
    /** Exit code when the cluster check at start fails before enrolment (the join token is not used). */
    static final int EXIT_CLUSTER = 3;
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);
    /** The customer's command ledger in the state directory (see docs/configuration.md). */
    static final String LEDGER_FILE = "command-ledger.jsonl";
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(20);
    /** A failed certificate renewal is retried within this, doubling up to the cap (a 30-day certificate renews 10 days early). */
    private static final Duration RENEWAL_RETRY_BASE = Duration.ofSeconds(10);
    private static final Duration RENEWAL_RETRY_CAP = Duration.ofMinutes(10);
    private static final int KEEP_RESULTS = 1000;
    private static final int MAX_QUEUED_COMMANDS = 500;
    /** How soon the customer's approval or rejection of a held command is acted on. */
    private static final Duration APPROVAL_POLL = Duration.ofSeconds(1);
    private static final int ENROLL_ATTEMPTS = 10;
    private static final Duration FACTS_MAX_AGE = Duration.ofMinutes(10);
    /** The hub acks a batch once committed; a batch unanswered this long means a stuck stream. */
    private static final Duration USAGE_ACK_TIMEOUT = Duration.ofMinutes(2);
    /** A metrics batch unanswered this long: the round is dropped, the next one opens a new stream. */
    private static final Duration METRICS_ACK_TIMEOUT = Duration.ofSeconds(20);
    /** Set by the shutdown hook: the JVM is already shutting down (SIGTERM, SIGINT). */
    private static volatile boolean stoppedBySignal;

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && ControlsCommandLine.VERBS.contains(args[0])) {
            // The customer's switch next to a running agent: no cluster, no hub, no second agent.
            System.exit(ControlsCommandLine.run(args, System.getenv(), System.out, System.err));
        }
        int code = run(args, System.getenv(), true);
        if (stoppedBySignal) {
            // The JVM is shutting down already: System.exit would block, and the JVM would then end with
            // 143 for SIGTERM instead of the documented 0. The shutdown hook waits for this thread, which
            // has closed everything, so ending the process here cuts nothing short.
            Runtime.getRuntime().halt(code);
        }
        System.exit(code);
    }

    static int run(String[] args, Map<String, String> env) {
        return run(args, env, false);
    }

    /** @param captureOwnLog whether to ship what this process writes to stderr (the process itself, not a test) */
    static int run(String[] args, Map<String, String> env, boolean captureOwnLog) {
        AgentConfig config;
        try {
            Optional<AgentConfig> parsed = AgentCommandLine.parse(args, env);
            if (parsed.isEmpty()) {
                return 0;
            }
            config = parsed.get();
        } catch (UsageException e) {
            System.err.println("outpost-agent: " + e.getMessage() + " (see --help)");
            return EXIT_USAGE;
        }
        if (config.caBundle().isPresent()) {
            try {
                int trusted = CaBundleTrust.installAsDefault(config.caBundle().get());
                LOG.info("Trusting {} CA certificate(s) of {} besides the JVM's for HTTPS", trusted, config.caBundle().get());
            } catch (IOException e) {
                System.err.println("outpost-agent: " + e.getMessage() + " (see --help)");
                return EXIT_USAGE;
            }
        }
        config.proxyCredentials().ifPresent(credentials -> {
            credentials.installAsDefault();
            LOG.info("Answering the egress proxy's authentication as {}", credentials.username());
        });
        Optional<AgentOwnLog> ownLog = captureOwnLog && config.logs().enabled()
                ? Optional.of(AgentOwnLog.capture(Clock.systemUTC())) : Optional.empty();
        LOG.info("Outpost agent {} starting: {}", AgentVersion.current(), config);
        Config kubeConfig;
        try {
            kubeConfig = KubeconfigLoader.load(config.kubeconfig(), env);
        } catch (ClusterAccessException e) {
            System.err.println("outpost-agent: " + e.getMessage());
            return EXIT_CLUSTER;
        }
        // for an API server reached through the proxy (HTTPS_PROXY, not in NO_PROXY)
        config.proxyCredentials().ifPresent(credentials -> credentials.applyTo(kubeConfig));
        try (KubernetesClient kube = new KubernetesClientBuilder().withConfig(kubeConfig).build();
             KubernetesClient probe = new KubernetesClientBuilder()
                     .withConfig(ClusterPreflight.probeConfig(kubeConfig)).build()) {
            ClusterPreflight preflight = new ClusterPreflight(probe, config.namespaces(),
                    config.namespaceMode().createsNamespaces());
            ClusterPreflight.Result checked = preflight.run();
            boolean enrolled = new IdentityFiles(config.stateDir()).exists();
            if (!checked.ok() && !enrolled) {
                // Before the token is sent: an agent that cannot work must not use up the customer's token.
                System.err.println("outpost-agent: cannot work with the cluster at " + checked.server()
                        + checked.identity().map(id -> " as " + id).orElse("") + "; the join token was not used:");
                checked.problems().forEach(problem -> System.err.println("  - " + problem));
                return EXIT_CLUSTER;
            }
            if (checked.ok()) {
                LOG.info("Cluster check passed: {} (Kubernetes {}){}, namespaces {}", checked.server(),
                        checked.kubernetesVersion().orElse("?"), checked.identity().map(id -> " as " + id).orElse(""),
                        config.namespaces());
            } else {
                // Enrolled already: exiting would only crash-loop; connect and tell the hub instead.
                LOG.warn("Cluster check failed; connecting to the hub as degraded: {}", String.join("; ", checked.problems()));
            }
            try (ClusterCondition condition = new ClusterCondition(checked, () -> preflight.run(false), Clock.systemUTC())) {
                condition.start(ClusterCondition.RECHECK_INTERVAL);
                AgentMetrics metrics = new AgentMetrics(condition);
                CommandLedger ledger = CommandLedger.open(config.stateDir().resolve(LEDGER_FILE), Clock.systemUTC());
                // started before enrolment, so a probe finds the agent alive while it waits for the hub
                try (MetricsEndpoint endpoint = startMetrics(config.metrics(), metrics, condition, ledger)) {
                    // Facts are read with the probe's short timeouts: a Hello must not wait out the client's retries.
                    AgentCredentials credentials = identity(config, probe);
                    return connect(config, kube, probe, credentials, condition, metrics, ownLog, ledger);
                }
            }
        } catch (EnrollmentException e) {
            System.err.println("outpost-agent: enrolment failed: " + e.getMessage());
            return EXIT_FAILURE;
        } catch (IllegalStateException | IOException e) {
            System.err.println("outpost-agent: " + e.getMessage());
            return EXIT_FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return EXIT_FAILURE;
        }
    }

    /**
     * Serves /metrics and /healthz, or null when off. The default address in use (a second agent on a
     * laptop) only costs the endpoint, with a warning; an address that was asked for must work, since
     * probes and scrapes depend on it.
     */
    private static MetricsEndpoint startMetrics(MetricsOptions options, AgentMetrics metrics, ClusterCondition condition,
            CommandLedger ledger) throws IOException {
        if (options.address().isEmpty()) {
            LOG.info("Metrics endpoint off (--metrics-address off)");
            return null;
        }
        InetSocketAddress address = options.address().get();
        String shown = address.getHostString() + ":" + address.getPort();
        try {
            MetricsEndpoint endpoint = MetricsEndpoint.start(address, metrics.registry(),
                    () -> AgentHealth.of(condition.get(), metrics.isHubConnected()), ledger);
            LOG.info("Serving /metrics, /healthz and /ledger on {}:{}", address.getHostString(), endpoint.port());
            return endpoint;
        } catch (IOException | RuntimeException e) {
            String why = "cannot serve /metrics and /healthz on " + shown + ": " + e.getMessage();
            if (options.addressGiven()) {
                throw new IOException(why + " (choose another --metrics-address, or off)", e);
            }
            LOG.warn("{}; running without them (set --metrics-address to another address, or off)", why);
            return null;
        }
    }

    /** The stored identity, or a new one from enrolment with the join token. */
    private static AgentCredentials identity(AgentConfig config, KubernetesClient probe)
            throws EnrollmentException, InterruptedException, IOException {
        IdentityFiles files = new IdentityFiles(config.stateDir());
        if (files.exists()) {
            AgentCredentials credentials = files.load();
            if (config.joinToken().isPresent()) {
                LOG.info("Join token ignored: this agent is already enrolled ({})", credentials.identity());
            }
            return credentials;
        }
        if (config.joinToken().isEmpty()) {
            throw new IllegalStateException("not enrolled yet (no identity in " + config.stateDir()
                    + "): start with --join-token and --ca-hash from the hub");
        }
        LOG.info("Enrolling with the hub at {}", config.hub());
        EnrollmentClient client = new EnrollmentClient(config.hub(), config.caHash().orElseThrow(),
                new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30)), ENROLL_ATTEMPTS);
        AgentCredentials credentials = client.enroll(config.joinToken().get(), AgentVersion.current(),
                KubeClusterFacts.probe(probe));
        files.save(credentials);
        LOG.info("Enrolled: {}; identity stored in {}", credentials.identity(), config.stateDir());
        return credentials;
    }

    private record Usage(UsageMetering metering, UsageSender sender) {
    }

    /** Starts metering each window and sending the spool, on the control stream's channel (own HTTP/2 stream). */
    private static Usage startUsage(AgentConfig config, KubernetesClient kube, AgentCredentials credentials,
            KubeDeploymentExecutor executor, ManagedChannel channel, UsageSpool spool, AgentMetrics metrics) {
        UsageOptions options = config.usage();
        String agent = "agent=" + credentials.identity().agentId();
        UsageSender sender = new UsageSender(channel, spool, new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(2)),
                USAGE_ACK_TIMEOUT, Clock.systemUTC(), agent);
        UsageMetering metering = new UsageMetering(new UsageGrid(options.interval()), options.catchUp(), executor::metered,
                new KubeUsageReader(kube, new MetricsApiReader(kube, agent)), new UsageMeter(credentials.identity().agentId()), spool,
                new PodMetricsScraper(PodMetricsScraper.timeoutFor(options.interval())), Clock.systemUTC(), agent);
        metrics.watchMeterProblems(metering::meterProblemsTotal);
        sender.start();
        metering.start();
        LOG.info("Usage metering every {}s (catch-up {}s), spool {} (at most {} bytes){}", options.interval().toSeconds(),
                options.catchUp().toSeconds(), config.stateDir().resolve("usage-spool"), options.spoolMaxBytes(),
                options.journal().map(journal -> ", journal " + journal).orElse(""));
        return new Usage(metering, sender);
    }

    /** Starts following the deployments' container logs and shipping them, on their own HTTP/2 stream; unless --logs off. */
    private static Optional<LogShipping> startLogs(AgentConfig config, KubernetesClient kube, AgentCredentials credentials,
            KubeDeploymentExecutor executor, DriftWatch drift, ManagedChannel channel, Optional<AgentOwnLog> ownLog) {
        if (!config.logs().enabled()) {
            LOG.info("Log shipping off (--logs off)");
            return Optional.empty();
        }
        String agent = "agent=" + credentials.identity().agentId();
        LogShipping shipping = LogShipping.start(config.logs(), config.stateDir(), kube, executor::metered,
                deploymentId -> drift.state(deploymentId)
                        .map(tracked -> tracked.objects().stream().map(AppliedObject::body).toList())
                        .orElse(java.util.List.of()),
                ownLog, channel, Clock.systemUTC(), agent);
        LOG.info("Log shipping on: buffer at most {} bytes, at most {} containers, {} mask patterns, positions in {}{}",
                config.logs().bufferMaxBytes(), config.logs().maxSources(), config.logs().maskPatterns().size(),
                config.stateDir().resolve(dev.outpost.agent.logs.LogPositionStore.FILE),
                ownLog.isPresent() ? "; the agent's own log too (pod " + credentials.identity().agentId() + ", container "
                        + AgentOwnLog.CONTAINER + ")" : "");
        return Optional.of(shipping);
    }

    private static int connect(AgentConfig config, KubernetesClient kube, KubernetesClient probe,
            AgentCredentials credentials, ClusterCondition condition, AgentMetrics metrics, Optional<AgentOwnLog> ownLog,
            CommandLedger ledger) throws IOException, InterruptedException {
        // opened first: a spool that cannot be read stops the agent before anything else was started
        UsageSpool spool = UsageSpool.open(config.stateDir().resolve("usage-spool"), config.usage().spoolMaxBytes(),
                config.usage().journal(), "agent=" + credentials.identity().agentId());
        metrics.watchSpool(spool::report);
        DriftWatch drift = new DriftWatch(kube, config.stateDir(), config.fieldManager(), Clock.systemUTC());
        KubeDeploymentExecutor executor = new KubeDeploymentExecutor(kube, config.namespaces(), config.stateDir(),
                config.fieldManager(), Clock.systemUTC(),
                config.testInfrastructureFile().<InfrastructureProvider>map(TestInfrastructureProvider::new)
                        .orElseGet(NoInfrastructureProvider::new),
                config.namespaceMode().createsNamespaces()
                        ? Optional.of(new KubeNamespaceProvisioner(kube, config.fieldManager(), Optional.empty(), Clock.systemUTC()))
                        : Optional.empty(),
                drift, config.policy());
        if (config.policy().restricts()) {
            LOG.info("Customer policy in force: {}", config.policy());
        }
        RotatingKeyManager keys = new RotatingKeyManager(credentials);
        ManagedChannel channel = HubChannels.mutualTls(config.hub(), keys);
        IdentityFiles identityFiles = new IdentityFiles(config.stateDir());
        CertificateRenewal renewal = new CertificateRenewal(channel, keys, identityFiles,
                new Backoff(RENEWAL_RETRY_BASE, RENEWAL_RETRY_CAP), Clock.systemUTC());
        PauseSwitch pause = new PauseSwitch(config.stateDir());
        pause.current().ifPresent(p -> LOG.warn("Paused by the customer since {} ({}): commands are refused and drift is "
                + "not healed until `outpost-agent resume`", p.since(), p.reason()));
        ControlConnection connection = new ControlConnection(channel, AgentVersion.current(),
                KubeClusterFacts.cached(probe, FACTS_MAX_AGE, Clock.systemUTC()), executor::applied,
                config.namespaces(), config.namespaceMode().createsNamespaces(), new PausedCondition(pause, condition),
                new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60)),
                new Backoff(Duration.ofSeconds(30), Duration.ofMinutes(10)),
                new CertificateExpiry(() -> keys.current().certificate().getNotAfter().toInstant(),
                        identityFiles.howToReEnrol(), Clock.systemUTC()),
                Clock.systemUTC());
        Optional<ApprovalHolds> approvals = config.approvalRequired()
                ? Optional.of(new ApprovalHolds(new ApprovalInbox(config.stateDir()), connection, APPROVAL_POLL))
                : Optional.empty();
        approvals.ifPresent(a -> LOG.info("Approval mode: every command waits for `outpost-agent approve COMMAND-ID` "
                + "(`outpost-agent approvals` lists them)"));
        CommandDispatcher dispatcher = new CommandDispatcher(executor,
                new FinishedCommands(config.stateDir().resolve("finished-commands.log"), KEEP_RESULTS), ledger, pause,
                approvals, connection, config.maxParallelDeployments(), MAX_QUEUED_COMMANDS);
        connection.setDispatcher(dispatcher);
        connection.setOnTrust(new HubTrustUpdates(keys, identityFiles));
        drift.setOutlet(report -> connection.send(AgentMessage.newBuilder().setDrift(report).build()));
        dispatcher.setOnFinished(metrics::commandFinished);
        connection.setOnStreamEnd(metrics::hubDisconnected);
        drift.start();
        Usage usage = startUsage(config, kube, credentials, executor, channel, spool, metrics);
        Optional<LogShipping> logs = startLogs(config, kube, credentials, executor, drift, channel, ownLog);
        connection.setOnWelcome(revision -> {
            metrics.hubConnected();
            drift.connected(revision);
            logs.ifPresent(shipping -> shipping.hubRevision(revision));
        });
        MetricsSampler sampler = new MetricsSampler(executor::metered, new KubeDeploymentStateReader(kube),
                new PodMetricsScraper(PodMetricsScraper.timeoutFor(config.metrics().sampleInterval())),
                new MetricsSender(channel, METRICS_ACK_TIMEOUT, "agent=" + credentials.identity().agentId()),
                Clock.systemUTC(), "agent=" + credentials.identity().agentId());
        sampler.start(config.metrics().sampleInterval());
        renewal.start();

        Thread agent = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Stopping: finishing running commands (up to {}s)", SHUTDOWN_GRACE.toSeconds());
            stoppedBySignal = true;
            connection.stop();
            try {
                // main() ends the process once the agent thread has cleaned up; should that hang, the
                // JVM ends when this hook gives up.
                agent.join(SHUTDOWN_GRACE.plusSeconds(10).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "outpost-shutdown"));
        try {
            connection.run();
        } finally {
            dispatcher.close(SHUTDOWN_GRACE);
            // before the drift watch: the masks read the applied Secrets from it
            logs.ifPresent(LogShipping::close);
            drift.close();
            sampler.close();
            // the round in progress finishes its spool write first; unacknowledged batches stay spooled
            usage.metering().close();
            usage.sender().close();
            renewal.close();
            channel.shutdownNow();
            LOG.info("Outpost agent stopped");
        }
        return 0;
    }
}
