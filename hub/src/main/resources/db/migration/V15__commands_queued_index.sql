-- The gateway's poll asks for the environments with a queued command once per interval for all its
-- streams (not once per stream): this index answers it without reading the sent and answered rows.
create index ix_commands_queued on commands (status, environment_id);
