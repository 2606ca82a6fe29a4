-- The operation lifecycle (docs/deployments.md): which plan step failed, which operation a retry
-- repeats, and the deployment's revisions (what each successful create or update applied) to roll
-- back to. Step names are at most 200 characters; the columns hold twice as many UTF-16 units (V3).
alter table operations add column failed_step varchar(400);
alter table operations add column retry_of varchar(64);
alter table deployments add column failed_step varchar(400);
alter table deployments add column revision bigint;

-- Parameters as the caller gave them (never the release's defaults merged in, never generated secrets).
create table deployment_revisions (
    deployment_id   varchar(64)  not null references deployments (id),
    number          bigint       not null,
    tenant_id       varchar(64)  not null references tenants (id),
    operation_id    varchar(64)  not null references operations (id),
    release_id      varchar(64)  not null references releases (id),
    parameters_json text         not null,
    plan_name       varchar(126),
    content_hash    varchar(80)  not null,
    created_at      timestamp with time zone not null,
    primary key (deployment_id, number)
);

-- The sweep for commands whose result is overdue reads sent commands by when they were sent.
create index ix_commands_sent on commands (status, sent_at);
