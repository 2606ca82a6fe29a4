-- Series the deployments' workloads serve and forward (annotation outpost.dev/metrics-forward,
-- docs/metrics.md): the latest value of each, as the deployment's agent last scraped it. Replaced with
-- the deployment's Kubernetes state samples, in the same transaction. series_key is the SHA-256 (hex)
-- of metric, pod and labels: the labels may be longer than an index entry may be.
create table workload_metrics (
    deployment_id    varchar(64)   not null,
    series_key       varchar(64)   not null,
    metric           varchar(200)  not null,
    pod              varchar(253)  not null,
    labels_json      varchar(16384) not null,
    tenant_id        varchar(64)   not null,
    environment_id   varchar(64)   not null,
    agent_id         varchar(64)   not null,
    sample_value     double precision not null,
    sampled_at       timestamp with time zone not null,
    received_at      timestamp with time zone not null,
    constraint pk_workload_metrics primary key (deployment_id, series_key)
);
create index ix_workload_metrics_tenant on workload_metrics (tenant_id, received_at);
