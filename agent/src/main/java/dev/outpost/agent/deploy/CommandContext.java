package dev.outpost.agent.deploy;

import dev.outpost.agent.model.DesiredStateBuilder;

/** What an apply or delete run works with: its pipeline and the cluster, planning and inventory helpers. */
record CommandContext(Pipeline pipeline, ClusterObjects objects, DesiredStateBuilder builder,
                      LabelSearch labelSearch, InventoryStore inventories) {
}
