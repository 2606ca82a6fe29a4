package dev.outpost.hub.deployments.lifecycle;

import dev.outpost.protocol.v1.Command;
import dev.outpost.protocol.v1.PlanStep;
import java.time.Duration;
import java.time.Instant;

/**
 * How long the hub waits for the result of a command an agent has: as long as the command may
 * legitimately take (its ready timeout, or every plan step's health gate in turn) plus a margin for
 * the work around it. After that the operation fails rather than stay running forever.
 */
public final class ResultDeadline {
    private ResultDeadline() {
    }

    /**
     * When the result of {@code command}, sent at {@code sentAt}, is overdue. A delete, which names no
     * timeout, gets {@code deleteTimeout}.
     */
    public static Instant of(Command command, Instant sentAt, Duration deleteTimeout, Duration margin) {
        return sentAt.plus(work(command, deleteTimeout)).plus(margin);
    }

    /** The longest the agent may work on {@code command}. */
    static Duration work(Command command, Duration deleteTimeout) {
        if (!command.hasApply()) {
            return deleteTimeout;
        }
        Duration ready = Duration.ofSeconds(Math.max(0, command.getApply().getReadyTimeoutSeconds()));
        if (!command.getApply().hasPlan()) {
            return ready;
        }
        // Steps may run one after another, so their gates add up; a step without a gate waits as a
        // plain release does.
        Duration total = Duration.ZERO;
        for (PlanStep step : command.getApply().getPlan().getStepsList()) {
            int gate = step.hasGate() ? step.getGate().getTimeoutSeconds() : 0;
            total = total.plus(gate > 0 ? Duration.ofSeconds(gate) : ready);
        }
        return total;
    }
}
