package dev.outpost.hub.packages.render;

import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Gives the termination signals back to the JVM after Helm's native library ran. helm-java calls
 * Helm's Go code, whose runtime takes over SIGTERM, SIGINT and SIGHUP when it first runs: from then on
 * a {@code kill} (a Kubernetes pod stop, a systemd stop, Ctrl-C) no longer runs the JVM's shutdown,
 * and the hub would only die with SIGKILL. The JVM's own handlers are captured before any Helm call
 * and installed again after each one.
 */
final class JvmSignals {
    private static final Logger LOG = LoggerFactory.getLogger(JvmSignals.class);
    private static final Map<Signal, SignalHandler> JVM_HANDLERS = capture("TERM", "INT", "HUP");

    private JvmSignals() {
    }

    /** Installs the JVM's handlers again (cheap: one sigaction per signal). */
    static void restore() {
        JVM_HANDLERS.forEach((signal, handler) -> {
            try {
                Signal.handle(signal, handler);
            } catch (IllegalArgumentException e) {
                LOG.debug("cannot restore SIG{}: {}", signal.getName(), e.getMessage());
            }
        });
    }

    private static Map<Signal, SignalHandler> capture(String... names) {
        Map<Signal, SignalHandler> handlers = new LinkedHashMap<>();
        for (String name : names) {
            try {
                Signal signal = new Signal(name);
                // handle() answers the handler it replaces; put that one straight back
                SignalHandler jvm = Signal.handle(signal, SignalHandler.SIG_DFL);
                Signal.handle(signal, jvm);
                handlers.put(signal, jvm);
            } catch (IllegalArgumentException e) {
                // a signal the JVM keeps for itself (-Xrs, or not on this OS): nothing to give back
                LOG.debug("not capturing SIG{}: {}", name, e.getMessage());
            }
        }
        return Map.copyOf(handlers);
    }
}
