package dev.outpost.agent.deploy;

import dev.outpost.agent.infra.InfrastructureLocks;
import dev.outpost.agent.infra.InfrastructureProvider;
import dev.outpost.agent.model.DesiredStateBuilder;
import dev.outpost.agent.namespaces.NamespaceProvisioner;
import dev.outpost.agent.plan.StepRecordStore;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.Optional;

/** What a plan run works with: the cluster, planning and inventory helpers, step records, providers. */
record PlanContext(ClusterObjects objects, PreflightReads preflight, DesiredStateBuilder builder, LabelSearch labelSearch,
                   InventoryStore inventories, StepRecordStore records, InfrastructureProvider infrastructure,
                   InfrastructureLocks locks, Optional<NamespaceProvisioner> namespaces, HttpClient http, Clock clock) {
}
