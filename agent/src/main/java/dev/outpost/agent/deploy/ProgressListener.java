package dev.outpost.agent.deploy;

import dev.outpost.protocol.v1.Step;
import java.util.List;

/** Receives the full list of a command's steps each time one changes. */
@FunctionalInterface
public interface ProgressListener {
    void onSteps(List<Step> steps);
}
