package dev.outpost.hub.deployments.lifecycle;

import dev.outpost.hub.deployments.Operation;
import dev.outpost.protocol.FieldLimits;
import dev.outpost.protocol.v1.Step;
import dev.outpost.protocol.v1.StepState;
import java.util.List;
import java.util.Locale;

/** The per-step states of an operation as the hub stores and shows them, from the agent's reports. */
public final class StepReports {
    private static final String STEP_STATE_PREFIX = "STEP_STATE_";

    private StepReports() {
    }

    /**
     * The steps as stored: the first {@link FieldLimits#STEPS}, names and messages cut to their limits,
     * so one report stores at most a few hundred KB however many steps the agent sends. Each report
     * carries the full list, so the last one is the truth (dependents of a failed step arrive as skipped).
     */
    public static List<Operation.Step> of(List<Step> steps) {
        return steps.stream().limit(FieldLimits.STEPS)
                .map(s -> new Operation.Step(cut(s.getName(), FieldLimits.STEP_NAME_CHARS), state(s),
                        cut(s.getMessage(), FieldLimits.STEP_MESSAGE_CHARS)))
                .toList();
    }

    /** {@code text} cut to {@code maxCodePoints}, ending in "…" when cut. */
    public static String cut(String text, int maxCodePoints) {
        if (text.codePointCount(0, text.length()) <= maxCodePoints) {
            return text;
        }
        return text.substring(0, text.offsetByCodePoints(0, maxCodePoints - 1)) + "…";
    }

    /** pending, running, succeeded, failed or skipped. */
    static String state(Step step) {
        // An unset or unknown state (a malformed report, or a newer revision's state) is shown as pending:
        // the API documents five states, and the result decides how the operation ends anyway.
        if (step.getState() == StepState.STEP_STATE_UNSPECIFIED || step.getState() == StepState.UNRECOGNIZED) {
            return "pending";
        }
        String name = step.getState().name();
        return (name.startsWith(STEP_STATE_PREFIX) ? name.substring(STEP_STATE_PREFIX.length()) : name)
                .toLowerCase(Locale.ROOT);
    }
}
