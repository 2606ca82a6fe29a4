-- Outpost hub schema. Portable between H2 and PostgreSQL: varchar/text/bigint/integer/boolean,
-- bytea (H2 accepts it as BINARY VARYING) and timestamp with time zone; JSON is kept as text.

create table tenants (
    id          varchar(64)  primary key,
    name        varchar(200) not null,
    created_at  timestamp with time zone not null,
    constraint uq_tenants_name unique (name)
);

-- API tokens are stored as SHA-256 hex of the secret; role is admin or tenant.
create table api_tokens (
    id          varchar(64)  primary key,
    token_hash  varchar(64)  not null,
    role        varchar(16)  not null,
    tenant_id   varchar(64)  references tenants (id),
    name        varchar(200) not null,
    created_at  timestamp with time zone not null,
    constraint uq_api_tokens_hash unique (token_hash)
);

create table environments (
    id           varchar(64)  primary key,
    tenant_id    varchar(64)  not null references tenants (id),
    name         varchar(200) not null,
    cloud        varchar(16)  not null,
    region       varchar(100) not null,
    cluster_name varchar(200) not null,
    created_at   timestamp with time zone not null,
    constraint uq_environments_name unique (tenant_id, name)
);

create table join_tokens (
    id             varchar(64) primary key,
    tenant_id      varchar(64) not null references tenants (id),
    environment_id varchar(64) not null references environments (id),
    secret_hash    varchar(64) not null,
    expires_at     timestamp with time zone not null,
    max_uses       integer     not null,
    uses           integer     not null,
    created_at     timestamp with time zone not null,
    -- set when revoked through the API; revoking also moves expires_at to that moment, so the
    -- enrolment's expiry checks refuse the token from then on
    revoked_at     timestamp with time zone
);
create index ix_join_tokens_environment on join_tokens (environment_id);

create table agents (
    id                    varchar(64)  primary key,
    tenant_id             varchar(64)  not null references tenants (id),
    environment_id        varchar(64)  not null references environments (id),
    join_token_id         varchar(64)  not null references join_tokens (id),
    status                varchar(16)  not null,
    certificate_serial    varchar(128) not null,
    certificate_not_after timestamp with time zone not null,
    version               varchar(100) not null,
    kubernetes_version    varchar(100) not null,
    node_count            integer      not null,
    platform              varchar(100) not null,
    applied_json          text         not null,
    replica_id            varchar(200),
    enrolled_at           timestamp with time zone not null,
    last_seen_at          timestamp with time zone,
    revoked_at            timestamp with time zone
);
create index ix_agents_environment on agents (environment_id, status);

create table releases (
    id                      varchar(64)  primary key,
    service_name            varchar(63)  not null,
    version                 varchar(100) not null,
    manifests               text         not null,
    default_parameters_json text         not null,
    created_at              timestamp with time zone not null,
    constraint uq_releases_version unique (service_name, version)
);

-- active_operation_id is set by a conditional update (... where active_operation_id is null), which
-- is what keeps a deployment to one pending or running operation at a time.
-- live_name is the name while the deployment is not deleted and null afterwards: the unique constraint
-- (nulls are distinct on both databases) keeps names unique among live deployments, races included.
create table deployments (
    id                  varchar(64)   primary key,
    tenant_id           varchar(64)   not null references tenants (id),
    environment_id      varchar(64)   not null references environments (id),
    release_id          varchar(64)   not null references releases (id),
    name                varchar(63)   not null,
    namespace           varchar(63)   not null,
    parameters_json     text          not null,
    generation          bigint        not null,
    applied_generation  bigint        not null,
    content_hash        varchar(80),
    status              varchar(16)   not null,
    status_reason       varchar(4000),
    active_operation_id varchar(64),
    live_name           varchar(63),
    created_at          timestamp with time zone not null,
    updated_at          timestamp with time zone not null,
    constraint uq_deployments_live_name unique (environment_id, namespace, live_name)
);
create index ix_deployments_environment on deployments (environment_id);
create index ix_deployments_tenant on deployments (tenant_id);

create table operations (
    id             varchar(64)   primary key,
    deployment_id  varchar(64)   not null references deployments (id),
    tenant_id      varchar(64)   not null references tenants (id),
    type           varchar(16)   not null,
    generation     bigint        not null,
    status         varchar(16)   not null,
    steps_json     text          not null,
    failure_reason varchar(4000),
    created_at     timestamp with time zone not null,
    started_at     timestamp with time zone,
    finished_at    timestamp with time zone
);
create index ix_operations_deployment on operations (deployment_id);

-- The outbox: serialized outpost.v1.Command rows; status queued -> sent -> answered. A command whose
-- operation was cancelled is answered without a result, so it is never re-sent and a late result is ignored.
create table commands (
    id             varchar(64) primary key,
    environment_id varchar(64) not null references environments (id),
    deployment_id  varchar(64) not null references deployments (id),
    operation_id   varchar(64) not null references operations (id),
    payload        bytea       not null,
    status         varchar(16) not null,
    agent_id       varchar(64),
    result         bytea,
    created_at     timestamp with time zone not null,
    sent_at        timestamp with time zone,
    answered_at    timestamp with time zone
);
create index ix_commands_environment on commands (environment_id, status, created_at);
create index ix_commands_operation on commands (operation_id);
