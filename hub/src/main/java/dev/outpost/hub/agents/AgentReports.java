package dev.outpost.hub.agents;

import dev.outpost.hub.api.Validation;
import dev.outpost.protocol.text.FreeText;
import dev.outpost.protocol.v1.AgentCondition;
import dev.outpost.protocol.v1.AgentState;
import dev.outpost.protocol.v1.Hello;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The limits on what an agent reports about itself (allowed namespaces, condition): a message that
 * breaks one is refused with the field named, and nothing of it is stored.
 */
public final class AgentReports {
    /** Most namespaces an agent may name in Hello. */
    public static final int MAX_NAMESPACES = 100;
    /** Longest condition reason, in code points (the column holds more, for NFC growth). */
    public static final int MAX_REASON_CODE_POINTS = 500;
    /** 9999-12-31T23:59:59.999Z: beyond it timestamps do not fit both databases. */
    private static final long LATEST_SINCE_MS = 253_402_300_799_999L;

    private AgentReports() {
    }

    /** What is wrong with the Hello's new fields, naming the field; empty when they are fine. */
    public static Optional<String> problemInHello(Hello hello) {
        if (hello.getAllowedNamespacesCount() > MAX_NAMESPACES) {
            return Optional.of("allowed_namespaces: at most " + MAX_NAMESPACES + " entries, got "
                    + hello.getAllowedNamespacesCount());
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < hello.getAllowedNamespacesCount(); i++) {
            String namespace = hello.getAllowedNamespaces(i);
            if (!Validation.DNS_LABEL.matcher(namespace).matches()) {
                return Optional.of("allowed_namespaces[" + i + "]: must be a DNS-1123 label, got "
                        + FreeText.forLog(namespace));
            }
            if (!seen.add(namespace)) {
                return Optional.of("allowed_namespaces[" + i + "]: " + namespace + " is listed twice");
            }
        }
        return hello.hasCondition() ? problemInCondition("condition", hello.getCondition()) : Optional.empty();
    }

    /** What is wrong with a reported condition, the field named under {@code field}; empty when fine. */
    public static Optional<String> problemInCondition(String field, AgentCondition condition) {
        if (condition.getState() != AgentState.AGENT_STATE_READY && condition.getState() != AgentState.AGENT_STATE_DEGRADED) {
            return Optional.of(field + ".state: must be AGENT_STATE_READY or AGENT_STATE_DEGRADED, got "
                    + condition.getStateValue());
        }
        if (condition.getState() == AgentState.AGENT_STATE_DEGRADED) {
            Optional<String> reason = FreeText.problem(condition.getReason(), MAX_REASON_CODE_POINTS);
            if (reason.isPresent()) {
                return Optional.of(field + ".reason: " + reason.get());
            }
        } else if (!condition.getReason().isEmpty()) {
            return Optional.of(field + ".reason: must be empty when the state is AGENT_STATE_READY");
        }
        if (condition.getSinceUnixMs() <= 0 || condition.getSinceUnixMs() > LATEST_SINCE_MS) {
            return Optional.of(field + ".since_unix_ms: must be a Unix time in milliseconds from 1970 to 9999, got "
                    + condition.getSinceUnixMs());
        }
        return Optional.empty();
    }
}
