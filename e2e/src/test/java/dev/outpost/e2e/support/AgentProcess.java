package dev.outpost.e2e.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Starts the agent as a separate process, as a customer would with the install command. */
public final class AgentProcess {
    private AgentProcess() {
    }

    /**
     * Starts an agent against {@code hub} with its state in {@code stateDir}, acting in the cluster as
     * the ServiceAccount of {@code kubeconfig}, allowed to touch only {@code namespace}. The join token
     * and CA fingerprint may be null for an agent that enrolled before.
     */
    public static ChildProcess start(String name, HubProcess hub, String joinToken, String caFingerprint,
            Path stateDir, Path kubeconfig, String namespace) {
        return start(name, hub, joinToken, caFingerprint, stateDir, kubeconfig, namespace, List.of());
    }

    /** As above, with more agent options, e.g. {@code --namespace-mode per-deployment}. */
    public static ChildProcess start(String name, HubProcess hub, String joinToken, String caFingerprint,
            Path stateDir, Path kubeconfig, String namespace, List<String> moreOptions) {
        return start(name, hub.gatewayAddress(), joinToken, caFingerprint, stateDir, kubeconfig, namespace, moreOptions);
    }

    /** As above, dialling {@code hubAddress} ("host:port", e.g. a {@link TcpProxy} in front of the hub). */
    public static ChildProcess start(String name, String hubAddress, String joinToken, String caFingerprint,
            Path stateDir, Path kubeconfig, String namespace, List<String> moreOptions) {
        List<String> command = new ArrayList<>();
        command.add(agentJava());
        // JVM options of the agent (the footprint benchmark compares settings with this).
        command.addAll(List.of(System.getProperty("outpost.e2e.agent-jvm-options", "-Xmx256m").trim().split("\\s+")));
        command.addAll(List.of("-jar", ProjectPaths.agentJar().toString(),
                "--hub", hubAddress,
                "--state-dir", stateDir.toString(),
                "--kubeconfig", kubeconfig.toString(),
                "--namespaces", namespace));
        // The token goes in the environment, not the command line, where `ps` would show it.
        Map<String, String> env = new java.util.HashMap<>(extraEnvironment());
        if (joinToken != null) {
            env.put("OUTPOST_JOIN_TOKEN", joinToken);
        }
        if (caFingerprint != null) {
            command.addAll(List.of("--ca-hash", caFingerprint));
        }
        command.addAll(moreOptions);
        return ChildProcess.start(name, command, env, stateDir.resolveSibling(name + ".log"));
    }

    /**
     * Starts an agent configured only by {@code environment} and {@code arguments}, as a container
     * would be (e.g. the environment and arguments of a chart's Deployment), acting in the cluster as
     * the user of {@code kubeconfig}; its output goes to {@code log}.
     */
    public static ChildProcess startConfiguredBy(String name, Map<String, String> environment, List<String> arguments,
            Path kubeconfig, Path log) {
        List<String> command = new ArrayList<>();
        command.add(agentJava());
        command.addAll(List.of(System.getProperty("outpost.e2e.agent-jvm-options", "-Xmx256m").trim().split("\\s+")));
        command.addAll(List.of("-jar", ProjectPaths.agentJar().toString(), "--kubeconfig", kubeconfig.toString()));
        command.addAll(arguments);
        Map<String, String> env = new java.util.HashMap<>(extraEnvironment());
        env.putAll(environment);
        return ChildProcess.start(name, command, env, log);
    }

    /** The agents' java launcher: {@code outpost.e2e.agent-java} (e.g. a jlinked runtime as in the image), else the tests' own. */
    private static String agentJava() {
        return System.getProperty("outpost.e2e.agent-java", ProjectPaths.java());
    }

    /**
     * Environment the footprint benchmarks add to every agent, from {@code outpost.e2e.agent-environment}
     * ("NAME=value,NAME=value", e.g. {@code MALLOC_ARENA_MAX=2} as the chart sets it); none by default.
     */
    private static Map<String, String> extraEnvironment() {
        Map<String, String> env = new java.util.HashMap<>();
        for (String pair : System.getProperty("outpost.e2e.agent-environment", "").split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                env.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        return env;
    }
}
