package dev.outpost.hub.drift;

import dev.outpost.protocol.v1.DriftReport;

/** Where the agent gateway hands drift reports that passed {@link DriftReportRules}. */
public interface DriftReports {

    /**
     * Stores the report as the deployment's current drift. Ignored (and logged) when the deployment
     * is not of the environment, is deleted, or {@code agentId} is not the environment's current agent:
     * as for command results, an agent cannot touch what is not its own.
     */
    void report(String environmentId, String agentId, DriftReport report);
}
