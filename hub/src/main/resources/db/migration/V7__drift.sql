-- Drift (docs/drift.md): what the deployment's agent does when someone else changes its objects, and
-- the drift the agent reports now, one row per object. The agent always sends the full list for a
-- deployment, so a report replaces the deployment's rows; a successful apply or delete clears them.
-- Text columns hold twice the agent-side limits in characters, for H2's UTF-16 units (see V4).
alter table deployments add column drift_policy varchar(16) default 'report' not null;

create table deployment_drift (
    deployment_id  varchar(64)   not null references deployments (id),
    tenant_id      varchar(64)   not null references tenants (id),
    position       integer       not null,
    api_version    varchar(512)  not null,
    kind           varchar(256)  not null,
    namespace      varchar(128),
    name           varchar(512)  not null,
    change_kind    varchar(16)   not null,
    fields_json    text          not null,
    since          timestamp with time zone not null,
    healed         boolean       not null,
    last_seen_at   timestamp with time zone not null,
    constraint pk_deployment_drift primary key (deployment_id, position)
);
create index ix_deployment_drift_tenant on deployment_drift (tenant_id);
