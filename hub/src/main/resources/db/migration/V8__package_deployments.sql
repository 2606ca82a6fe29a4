-- Deployments of package releases (issue #8): the plan (tier) chosen, who owns the namespace, the
-- secrets the hub generated for the deployment, and the agent facts planning needs.

-- null for a deployment of a manifests release (they have no plans).
alter table deployments add column plan_name varchar(63);
-- 'existing' (one of the agent's namespaces; every deployment before this revision) or
-- 'per-deployment' (the agent creates the namespace and deletes it with the deployment).
alter table deployments add column namespace_mode varchar(16) default 'existing' not null;

-- One row per secret parameter of a deployment, generated once by the hub, never returned by the API.
-- Kept across updates (a newer version's new secret parameter gets a row on that update) and after
-- the deployment is deleted, with the deployment row it belongs to.
create table deployment_secrets (
    deployment_id varchar(64)   not null references deployments (id),
    name          varchar(200)  not null,
    secret_value  varchar(200)  not null,
    created_at    timestamp with time zone not null,
    constraint pk_deployment_secrets primary key (deployment_id, name)
);

-- From the agent's Hello: the protocol revision negotiated (null: connected before this column),
-- whether it may create namespaces (null: not told), and the API versions its cluster serves (JSON
-- array, at most GrpcLimits.MAX_API_VERSIONS; null: not told).
alter table agents add column protocol_revision integer;
alter table agents add column creates_namespaces boolean;
alter table agents add column api_versions_json text;
