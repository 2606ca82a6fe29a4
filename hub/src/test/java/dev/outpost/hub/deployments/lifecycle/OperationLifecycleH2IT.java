package dev.outpost.hub.deployments.lifecycle;

import java.util.Map;

/** The operation lifecycle on the embedded H2 database (a file in the data folder, kept across the restart). */
class OperationLifecycleH2IT extends AbstractOperationLifecycleIT {

    @Override
    Map<String, String> databaseProperties() {
        return Map.of();
    }
}
