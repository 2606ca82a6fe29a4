package dev.outpost.agent.plan;

import java.util.List;

/** A step as the schedule sees it: its name and the names of the steps it needs to have succeeded. */
public record ScheduledStep(String name, List<String> dependsOn) {

    public ScheduledStep {
        dependsOn = List.copyOf(dependsOn);
    }
}
