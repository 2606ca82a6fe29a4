-- Idempotency-Key: the first response to a mutating REST call, replayed to a retry with the same key
-- and body. Written in the same transaction as the change it answers, so a key either has its change
-- and its response or neither. scope is the caller's tenant id, or 'admin'; request_hash is the
-- SHA-256 hex of method, route and canonical body; response_json is the body as first sent.
create table idempotency_keys (
    scope          varchar(64)  not null,
    idem_key       varchar(255) not null,
    request_hash   varchar(64)  not null,
    method         varchar(10)  not null,
    route          varchar(400) not null,
    status         integer      not null,
    response_json  text         not null,
    created_at     timestamp with time zone not null,
    expires_at     timestamp with time zone not null,
    constraint pk_idempotency_keys primary key (scope, idem_key)
);
create index ix_idempotency_keys_expires on idempotency_keys (expires_at);
