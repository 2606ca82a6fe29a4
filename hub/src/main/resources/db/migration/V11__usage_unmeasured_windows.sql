-- SpoolState.unmeasured_windows_total: windows an agent could not measure, shown per agent.
alter table agent_usage_spool add column unmeasured_windows_total bigint default 0 not null;
