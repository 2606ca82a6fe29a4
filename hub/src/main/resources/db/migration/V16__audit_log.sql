-- The append-only audit log (issue #12): one row per change, hash chained (see AuditChain), and its
-- head, locked by every append so that replicas append one at a time in one order.
create table audit_log (
    seq         bigint primary key,
    at          timestamp with time zone not null,
    actor       varchar(600) not null,
    token_id    varchar(64),
    tenant_id   varchar(64),
    source      varchar(100),
    action      varchar(100) not null,
    object_type varchar(50) not null,
    object_id   varchar(100) not null,
    detail      varchar(2000),
    prev_hash   char(64) not null,
    hash        char(64) not null
);
create index ix_audit_log_tenant on audit_log (tenant_id, seq);

create table audit_head (
    id   int primary key,
    seq  bigint not null,
    hash char(64) not null
);
insert into audit_head (id, seq, hash) values (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
