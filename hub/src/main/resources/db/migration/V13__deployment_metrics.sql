-- Kubernetes state samples of deployments (docs/metrics.md): the latest value of each series, as the
-- deployment's agent last reported it. A sample replaces all rows of its deployment in one
-- transaction, so a workload gone from the release is gone here at the next sample. Series whose
-- received_at is older than 5 minutes are stale and not served. metric is one of ready_replicas,
-- desired_replicas (per workload: kind, namespace, workload), pods (per phase), container_restarts,
-- workloads_omitted; label columns a metric does not have are ''.
create table deployment_metrics (
    deployment_id    varchar(64)  not null,
    metric           varchar(40)  not null,
    kind             varchar(20)  not null,
    namespace        varchar(63)  not null,
    workload         varchar(253) not null,
    phase            varchar(20)  not null,
    tenant_id        varchar(64)  not null,
    environment_id   varchar(64)  not null,
    agent_id         varchar(64)  not null,
    sample_value     bigint       not null,
    sampled_at       timestamp with time zone not null,
    received_at      timestamp with time zone not null,
    constraint pk_deployment_metrics primary key (deployment_id, metric, kind, namespace, workload, phase)
);
create index ix_deployment_metrics_tenant on deployment_metrics (tenant_id, received_at);
