package dev.outpost.agent.config;

import dev.outpost.agent.policy.ApplyPolicy;
import dev.outpost.agent.proxy.ProxyCredentials;
import dev.outpost.protocol.CaFingerprint;
import dev.outpost.agent.usage.UsageGrid;
import dev.outpost.agent.usage.UsageSpool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The agent's command line; each option falls back to an environment variable. */
@Command(name = "outpost-agent", mixinStandardHelpOptions = true, versionProvider = AgentCommandLine.Version.class,
        description = "Connects this cluster to an Outpost hub and carries out its deployments.")
public final class AgentCommandLine {
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,12})(ms|s|m|h)?");
    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern IMAGE_RULE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:@-]*");
    private static final Pattern KIND = Pattern.compile("[A-Z][A-Za-z0-9]{0,62}");
    private static final int MAX_POLICY_ENTRIES = 50;
    private static final int MAX_POLICY_ENTRY_CHARS = 255;

    @Option(names = "--hub", paramLabel = "HOST:PORT", description = "Hub agent gateway (env OUTPOST_HUB).")
    String hub;

    @Option(names = "--join-token", paramLabel = "TOKEN",
            description = "Join token, needed only for the first start (env OUTPOST_JOIN_TOKEN).")
    String joinToken;

    @Option(names = "--ca-hash", paramLabel = "sha256:HEX",
            description = "Fingerprint of the hub's CA, required with a join token (env OUTPOST_CA_HASH).")
    String caHash;

    @Option(names = "--ca-bundle", paramLabel = "FILE",
            description = "PEM certificates of CAs the agent's HTTPS clients trust besides the JVM's, e.g. a "
                    + "TLS-inspecting proxy's (env OUTPOST_CA_BUNDLE). Not for the hub (its CA is pinned) nor the API server.")
    String caBundle;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where the agent keeps its key, certificate and results (env OUTPOST_STATE_DIR, default ./outpost-agent-state).")
    String stateDir;

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "Kubeconfig file (env KUBECONFIG; agent/rbac/kubeconfig.sh writes one); in-cluster configuration when absent.")
    String kubeconfig;

    @Option(names = "--namespaces", paramLabel = "NS[,NS...]",
            description = "The existing namespaces the agent may deploy into (env OUTPOST_NAMESPACES); required with "
                    + "--namespace-mode existing.")
    String namespaces;

    @Option(names = "--allowed-images", paramLabel = "PREFIX[,PREFIX...]",
            description = "Customer policy: only container images under these registries or repositories are applied, "
                    + "e.g. registry.vendor.example,ghcr.io/vendor/ (env OUTPOST_ALLOWED_IMAGES; default any).")
    String allowedImages;

    @Option(names = "--denied-images", paramLabel = "PREFIX[,PREFIX...]",
            description = "Customer policy: container images under these are refused, even when allowed "
                    + "(env OUTPOST_DENIED_IMAGES).")
    String deniedImages;

    @Option(names = "--allowed-kinds", paramLabel = "KIND[,KIND...]",
            description = "Customer policy: only objects of these kinds are applied, e.g. Deployment,Service,ConfigMap "
                    + "(env OUTPOST_ALLOWED_KINDS; default any namespaced kind).")
    String allowedKinds;

    @Option(names = "--denied-kinds", paramLabel = "KIND[,KIND...]",
            description = "Customer policy: objects of these kinds are refused, even when allowed, e.g. Secret,Role "
                    + "(env OUTPOST_DENIED_KINDS).")
    String deniedKinds;

    @Option(names = "--approval", paramLabel = "on|off",
            description = "Customer control: on holds every command from the hub until the customer approves it with "
                    + "`outpost-agent approve COMMAND-ID` (or rejects it) on the agent (env OUTPOST_APPROVAL; default off).")
    String approval;

    @Option(names = "--namespace-mode", paramLabel = "per-deployment|existing",
            description = "per-deployment: the agent creates a namespace per deployment (agent/rbac/per-deployment.yaml); "
                    + "existing: only the --namespaces ones (env OUTPOST_NAMESPACE_MODE; default per-deployment without "
                    + "--namespaces, existing with).")
    String namespaceMode;

    @Option(names = "--infrastructure-provider", paramLabel = "none|test",
            description = "Who carries out the infrastructure steps of package plans (env OUTPOST_INFRASTRUCTURE_PROVIDER; "
                    + "default none: such steps fail saying so). test: the test provider, see --test-infrastructure-file.")
    String infrastructureProvider;

    @Option(names = "--test-infrastructure-file", paramLabel = "FILE",
            description = "For --infrastructure-provider test: the YAML file, read on every call, saying how each item "
                    + "behaves (env OUTPOST_TEST_INFRASTRUCTURE_FILE; see docs/agent-plans.md).")
    String testInfrastructureFile;

    @Option(names = "--field-manager", paramLabel = "NAME", description = "Server-side apply field manager (default outpost-agent).")
    String fieldManager;

    @Option(names = "--max-parallel-deployments", paramLabel = "N",
            description = "Deployments carried out at the same time (default 4).")
    Integer maxParallelDeployments;

    @Option(names = "--usage-interval", paramLabel = "DURATION",
            description = "Length of a usage window, e.g. 60s, 5m (env OUTPOST_USAGE_INTERVAL; default 60s): 1s to 1h, "
                    + "dividing an hour evenly. Each deployment is measured at the end of every window.")
    String usageInterval;

    @Option(names = "--usage-catch-up", paramLabel = "DURATION",
            description = "After a restart or a pause, windows missed within this much of now are measured too, with "
                    + "the state at that moment (env OUTPOST_USAGE_CATCH_UP; default 1h; 0 disables).")
    String usageCatchUp;

    @Option(names = "--usage-spool-max-bytes", paramLabel = "BYTES",
            description = "Most disk the usage spool (<state-dir>/usage-spool) may take while the hub does not "
                    + "acknowledge (env OUTPOST_USAGE_SPOOL_MAX_BYTES; default 67108864 = 64 MiB, at least 1048576); "
                    + "records beyond it are counted as dropped and reported to the hub.")
    Long usageSpoolMaxBytes;

    @Option(names = "--usage-journal", paramLabel = "FILE",
            description = "Append every usage record the agent produces to FILE, one line each, as an audit trail "
                    + "(env OUTPOST_USAGE_JOURNAL; default none). Grows about 200 bytes per record; rotate it yourself.")
    String usageJournal;

    @Option(names = "--logs", paramLabel = "on|off",
            description = "Ship the container logs of the agent's deployments to the hub (env OUTPOST_LOGS; default on).")
    String logs;

    @Option(names = "--log-buffer-max-bytes", paramLabel = "BYTES",
            description = "Most memory log lines may take between reading and the hub's ack (env "
                    + "OUTPOST_LOG_BUFFER_MAX_BYTES; default 8388608 = 8 MiB, at least 1048576); beyond it the oldest "
                    + "unsent lines are dropped, counted and reported to the hub.")
    Long logBufferMaxBytes;

    @Option(names = "--log-mask-pattern", paramLabel = "REGEX",
            description = "Replace matches of this Java regular expression in log lines with **** (repeatable; env "
                    + "OUTPOST_LOG_MASK_PATTERNS, one pattern per line). Secret values the agent applied are masked anyway.")
    java.util.List<String> logMaskPatterns;

    @Option(names = "--log-max-sources", paramLabel = "N",
            description = "Most containers whose logs the agent follows (env OUTPOST_LOG_MAX_SOURCES; default 500, "
                    + "1 to 10000); containers beyond it are not followed, and a warning says how many.")
    Integer logMaxSources;

    @Option(names = "--metrics-address", paramLabel = "HOST:PORT|off",
            description = "Where the agent serves /metrics (Prometheus) and /healthz (env OUTPOST_METRICS_ADDRESS; "
                    + "default 127.0.0.1:9464, loopback only; in a pod use 0.0.0.0:9464 so probes and Prometheus reach "
                    + "it; off disables both).")
    String metricsAddress;

    @Option(names = "--metrics-sample-interval", paramLabel = "DURATION",
            description = "How often the agent samples its deployments' Kubernetes state (ready replicas, restarts, "
                    + "pod phases) for the hub (env OUTPOST_METRICS_SAMPLE_INTERVAL; default 30s; 5s to 10m).")
    String metricsSampleInterval;

    /** Supplies --version from the jar manifest. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"outpost-agent " + AgentVersion.current()};
        }
    }

    /**
     * Parses and validates the arguments, with {@code env} as fallback. Returns empty when help or
     * the version was requested (and printed).
     */
    public static Optional<AgentConfig> parse(String[] args, Map<String, String> env) throws UsageException {
        AgentCommandLine options = new AgentCommandLine();
        CommandLine commandLine = new CommandLine(options);
        try {
            commandLine.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new UsageException(e.getMessage());
        }
        if (commandLine.isUsageHelpRequested()) {
            commandLine.usage(System.out);
            return Optional.empty();
        }
        if (commandLine.isVersionHelpRequested()) {
            commandLine.printVersionHelp(System.out);
            return Optional.empty();
        }
        return Optional.of(options.toConfig(env));
    }

    private AgentConfig toConfig(Map<String, String> env) throws UsageException {
        String hubText = or(hub, env, "OUTPOST_HUB");
        if (hubText == null) {
            throw new UsageException("--hub (or OUTPOST_HUB) is required");
        }
        String namespaceText = or(namespaces, env, "OUTPOST_NAMESPACES");
        String modeText = or(namespaceMode, env, "OUTPOST_NAMESPACE_MODE");
        AgentNamespaceMode mode;
        try {
            // Without a mode, --namespaces keeps the agent to those namespaces, as before namespace modes existed.
            mode = modeText != null ? AgentNamespaceMode.parse(modeText)
                    : namespaceText != null ? AgentNamespaceMode.EXISTING : AgentNamespaceMode.PER_DEPLOYMENT;
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        if (namespaceText == null && mode == AgentNamespaceMode.EXISTING) {
            throw new UsageException("--namespaces (or OUTPOST_NAMESPACES) is required with --namespace-mode existing: "
                    + "the agent touches only these namespaces");
        }
        Optional<String> token = Optional.ofNullable(or(joinToken, env, "OUTPOST_JOIN_TOKEN"));
        Optional<String> pin = Optional.ofNullable(or(caHash, env, "OUTPOST_CA_HASH"));
        if (token.isPresent() && pin.isEmpty()) {
            throw new UsageException("--ca-hash (or OUTPOST_CA_HASH) is required with a join token");
        }
        int parallel = maxParallelDeployments == null ? 4 : maxParallelDeployments;
        if (parallel < 1 || parallel > 64) {
            throw new UsageException("--max-parallel-deployments must be from 1 to 64, got " + parallel);
        }
        String manager = fieldManager == null ? "outpost-agent" : fieldManager.trim();
        if (manager.isEmpty()) {
            throw new UsageException("--field-manager must not be empty");
        }
        Optional<Path> testInfrastructure = testInfrastructure(env);
        UsageOptions usage = usage(env);
        LogOptions logOptions = logOptions(env);
        MetricsOptions metrics = metrics(env);
        ApplyPolicy policy = policy(env);
        try {
            return new AgentConfig(HubAddress.parse(hubText), token, pin.map(CaFingerprint::parse),
                    Path.of(Optional.ofNullable(or(stateDir, env, "OUTPOST_STATE_DIR")).orElse("./outpost-agent-state")),
                    Optional.ofNullable(or(kubeconfig, env, "KUBECONFIG")).map(Path::of),
                    namespaceText == null ? Set.of() : parseNamespaces(namespaceText), manager, parallel, mode,
                    testInfrastructure, usage, logOptions, metrics,
                    Optional.ofNullable(or(caBundle, env, "OUTPOST_CA_BUNDLE")).filter(b -> !b.isBlank()).map(Path::of),
                    policy,
                    // from the environment only (a Secret in the chart): a command line is visible in ps
                    ProxyCredentials.of(env.get("OUTPOST_PROXY_USERNAME"), env.get("OUTPOST_PROXY_PASSWORD")),
                    approvalRequired(env));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** Whether --approval (or OUTPOST_APPROVAL) is on. */
    private boolean approvalRequired(Map<String, String> env) throws UsageException {
        String onOff = Optional.ofNullable(or(approval, env, "OUTPOST_APPROVAL")).orElse("off");
        return switch (onOff) {
            case "on", "true" -> true;
            case "off", "false" -> false;
            default -> throw new UsageException("--approval must be on or off, got '" + onOff + "'");
        };
    }

    /** The test provider's file when --infrastructure-provider is test; empty for none. */
    private Optional<Path> testInfrastructure(Map<String, String> env) throws UsageException {
        String provider = Optional.ofNullable(or(infrastructureProvider, env, "OUTPOST_INFRASTRUCTURE_PROVIDER")).orElse("none");
        String file = or(testInfrastructureFile, env, "OUTPOST_TEST_INFRASTRUCTURE_FILE");
        switch (provider) {
            case "none" -> {
                if (file != null) {
                    throw new UsageException("--test-infrastructure-file needs --infrastructure-provider test");
                }
                return Optional.empty();
            }
            case "test" -> {
                if (file == null) {
                    throw new UsageException("--infrastructure-provider test needs --test-infrastructure-file");
                }
                return Optional.of(Path.of(file));
            }
            default -> throw new UsageException("--infrastructure-provider must be none or test, got '" + provider + "'");
        }
    }

    private UsageOptions usage(Map<String, String> env) throws UsageException {
        Duration interval = duration("--usage-interval", or(usageInterval, env, "OUTPOST_USAGE_INTERVAL"),
                UsageOptions.DEFAULTS.interval());
        String problem = UsageGrid.problem(interval);
        if (problem != null) {
            throw new UsageException(problem);
        }
        Duration catchUp = duration("--usage-catch-up", or(usageCatchUp, env, "OUTPOST_USAGE_CATCH_UP"),
                UsageOptions.DEFAULTS.catchUp());
        if (catchUp.compareTo(Duration.ofDays(1)) > 0) {
            // the hub refuses windows it cannot have known about for longer: keep catch-up within a day
            throw new UsageException("--usage-catch-up must be from 0 to 24h, got " + catchUp.toSeconds() + "s");
        }
        long maxBytes;
        if (usageSpoolMaxBytes != null) {
            maxBytes = usageSpoolMaxBytes;
        } else {
            String text = env.get("OUTPOST_USAGE_SPOOL_MAX_BYTES");
            try {
                maxBytes = text == null || text.isBlank() ? UsageOptions.DEFAULTS.spoolMaxBytes() : Long.parseLong(text.trim());
            } catch (NumberFormatException e) {
                throw new UsageException("OUTPOST_USAGE_SPOOL_MAX_BYTES must be a number of bytes, got '" + text + "'");
            }
        }
        if (maxBytes < UsageSpool.MIN_MAX_BYTES) {
            throw new UsageException("--usage-spool-max-bytes must be at least " + UsageSpool.MIN_MAX_BYTES
                    + " (1 MiB), got " + maxBytes);
        }
        return new UsageOptions(interval, catchUp, maxBytes,
                Optional.ofNullable(or(usageJournal, env, "OUTPOST_USAGE_JOURNAL")).map(Path::of));
    }

    private LogOptions logOptions(Map<String, String> env) throws UsageException {
        String onOff = Optional.ofNullable(or(logs, env, "OUTPOST_LOGS")).orElse("on");
        boolean enabled = switch (onOff) {
            case "on", "true" -> true;
            case "off", "false" -> false;
            default -> throw new UsageException("--logs must be on or off, got '" + onOff + "'");
        };
        long maxBytes = logBufferMaxBytes != null ? logBufferMaxBytes
                : number(env, "OUTPOST_LOG_BUFFER_MAX_BYTES", LogOptions.DEFAULTS.bufferMaxBytes(), "a number of bytes");
        if (maxBytes < LogOptions.MIN_BUFFER_BYTES) {
            throw new UsageException("--log-buffer-max-bytes must be at least " + LogOptions.MIN_BUFFER_BYTES
                    + " (1 MiB), got " + maxBytes);
        }
        long sources = logMaxSources != null ? logMaxSources
                : number(env, "OUTPOST_LOG_MAX_SOURCES", LogOptions.DEFAULTS.maxSources(), "a number");
        if (sources < 1 || sources > LogOptions.MAX_SOURCES) {
            throw new UsageException("--log-max-sources must be from 1 to " + LogOptions.MAX_SOURCES + ", got " + sources);
        }
        java.util.List<String> texts = new java.util.ArrayList<>();
        if (logMaskPatterns != null && !logMaskPatterns.isEmpty()) {
            texts.addAll(logMaskPatterns);
        } else if (env.get("OUTPOST_LOG_MASK_PATTERNS") != null) {
            Arrays.stream(env.get("OUTPOST_LOG_MASK_PATTERNS").split("\\R")).filter(text -> !text.isBlank()).forEach(texts::add);
        }
        java.util.List<Pattern> patterns = new java.util.ArrayList<>();
        for (String text : texts) {
            if (text.isEmpty()) {
                throw new UsageException("--log-mask-pattern must not be empty");
            }
            try {
                Pattern pattern = Pattern.compile(text);
                if (pattern.matcher("").matches()) {
                    throw new UsageException("--log-mask-pattern '" + text + "' matches the empty text: it would mask between every character");
                }
                patterns.add(pattern);
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new UsageException("--log-mask-pattern '" + text + "' is not a valid regular expression: "
                        + e.getDescription() + " at index " + e.getIndex());
            }
        }
        return new LogOptions(enabled, maxBytes, patterns, (int) sources);
    }

    private static long number(Map<String, String> env, String variable, long fallback, String what) throws UsageException {
        String text = env.get(variable);
        try {
            return text == null || text.isBlank() ? fallback : Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(variable + " must be " + what + ", got '" + text + "'");
        }
    }

    private MetricsOptions metrics(Map<String, String> env) throws UsageException {
        String addressText = or(metricsAddress, env, "OUTPOST_METRICS_ADDRESS");
        Optional<java.net.InetSocketAddress> address;
        try {
            address = addressText == null ? MetricsOptions.DEFAULTS.address() : MetricsOptions.parseAddress(addressText);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        Duration interval = duration("--metrics-sample-interval",
                or(metricsSampleInterval, env, "OUTPOST_METRICS_SAMPLE_INTERVAL"), MetricsOptions.DEFAULT_SAMPLE_INTERVAL);
        if (interval.compareTo(Duration.ofSeconds(5)) < 0 || interval.compareTo(Duration.ofMinutes(10)) > 0) {
            // below 5s the agent would load the API server for little; above 10m the hub shows the samples as stale
            throw new UsageException("--metrics-sample-interval must be from 5s to 10m, got " + interval.toMillis() + "ms");
        }
        return new MetricsOptions(address, addressText != null, interval);
    }

    /** A duration such as 60s, 5m, 1h, 500ms or 0; {@code fallback} when not given. */
    static Duration duration(String option, String text, Duration fallback) throws UsageException {
        if (text == null) {
            return fallback;
        }
        Matcher matcher = DURATION.matcher(text);
        if (!matcher.matches()) {
            throw new UsageException(option + " must be a duration such as 30s, 5m or 1h, got '" + text + "'");
        }
        long amount;
        try {
            amount = Long.parseLong(matcher.group(1));
        } catch (NumberFormatException e) {
            throw new UsageException(option + " is too large: '" + text + "'");
        }
        String unit = matcher.group(2) == null ? "" : matcher.group(2);
        if (unit.isEmpty() && amount != 0) {
            throw new UsageException(option + " needs a unit (ms, s, m or h), got '" + text + "'");
        }
        if (amount > Duration.ofDays(366).toMillis()) {
            throw new UsageException(option + " is too large: '" + text + "'");
        }
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofSeconds(amount);
        };
    }

    /** The customer's apply policy from the four options; each list is bounded and each entry checked. */
    private ApplyPolicy policy(Map<String, String> env) throws UsageException {
        return new ApplyPolicy(
                imageRules("--allowed-images", or(allowedImages, env, "OUTPOST_ALLOWED_IMAGES")),
                imageRules("--denied-images", or(deniedImages, env, "OUTPOST_DENIED_IMAGES")),
                Set.copyOf(kinds("--allowed-kinds", or(allowedKinds, env, "OUTPOST_ALLOWED_KINDS"))),
                Set.copyOf(kinds("--denied-kinds", or(deniedKinds, env, "OUTPOST_DENIED_KINDS"))));
    }

    private static List<String> imageRules(String option, String text) throws UsageException {
        List<String> rules = entries(option, text);
        for (String rule : rules) {
            if (rule.length() > MAX_POLICY_ENTRY_CHARS || !IMAGE_RULE.matcher(rule).matches()) {
                throw new UsageException(option + ": '" + rule + "' is not a registry or image prefix (letters, digits and "
                        + "._-/:@ only, at most " + MAX_POLICY_ENTRY_CHARS + " characters), e.g. registry.vendor.example "
                        + "or ghcr.io/vendor/");
            }
        }
        return rules;
    }

    private static List<String> kinds(String option, String text) throws UsageException {
        List<String> kinds = entries(option, text);
        for (String kind : kinds) {
            if (!KIND.matcher(kind).matches()) {
                throw new UsageException(option + ": '" + kind + "' is not a Kubernetes kind (e.g. Deployment, Secret)");
            }
        }
        return kinds;
    }

    private static List<String> entries(String option, String text) throws UsageException {
        if (text == null) {
            return List.of();
        }
        List<String> entries = Arrays.stream(text.split(",")).map(String::trim).filter(e -> !e.isEmpty()).distinct()
                .toList();
        if (entries.size() > MAX_POLICY_ENTRIES) {
            throw new UsageException(option + " takes at most " + MAX_POLICY_ENTRIES + " entries, got " + entries.size());
        }
        return entries;
    }

    private static Set<String> parseNamespaces(String text) {
        Set<String> result = new LinkedHashSet<>();
        Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(ns -> {
            if (!NAMESPACE.matcher(ns).matches()) {
                throw new IllegalArgumentException("--namespaces: '" + ns + "' is not a valid namespace name");
            }
            result.add(ns);
        });
        if (result.isEmpty()) {
            throw new IllegalArgumentException("--namespaces must name at least one namespace");
        }
        return Collections.unmodifiableSet(result);
    }

    private static String or(String option, Map<String, String> env, String variable) {
        if (option != null && !option.isBlank()) {
            return option.trim();
        }
        String value = env.get(variable);
        return value == null || value.isBlank() ? null : value.trim();
    }
}
