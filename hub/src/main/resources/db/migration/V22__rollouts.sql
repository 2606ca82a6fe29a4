-- Issue #11. A rollout upgrades many deployments to one release in one request. Each deployment it
-- matched is a target: started (the update operation it got) or skipped (with the reason), all
-- written in the transaction that creates the rollout, so a rollout is never half created.
create table rollouts (
    id               varchar(64)  primary key,
    tenant_id        varchar(64)  references tenants (id), -- null: every tenant's (a vendor's rollout)
    release_id       varchar(64)  not null references releases (id),
    from_release_ids text         not null,                -- JSON list; empty: every other release of the service
    environment_ids  text         not null,                -- JSON list; empty: every environment
    created_by       varchar(300) not null,
    created_at       timestamp with time zone not null
);
create index ix_rollouts_tenant on rollouts (tenant_id, created_at);

create table rollout_targets (
    rollout_id     varchar(64) not null references rollouts (id),
    deployment_id  varchar(64) not null references deployments (id),
    operation_id   varchar(64) references operations (id),
    skipped_reason varchar(4000),
    primary key (rollout_id, deployment_id)
);
create index ix_rollout_targets_operation on rollout_targets (operation_id);
