-- Issue #12. With outpost.secrets.openbao-address set, secrets at rest are sealed with a data key
-- that only OpenBao's (or Vault's) Transit engine can unwrap: the hub keeps it here wrapped, shared
-- by every replica, and holds it in plain only in memory.
create table sealing_keys (
    name        varchar(200)  primary key,
    wrapped     varchar(8192) not null,
    created_at  timestamp with time zone not null
);
