-- Issue #12. An agent in the customer's approval mode holds a command until the customer approves it:
-- while held_reason is set the result deadline does not run and the operation shows it as its waiting
-- reason. A held command the vendor cancels must be withdrawn from the agent: withdraw_pending stays
-- true until the agent answers the withdrawal with a result.
alter table commands add column held_reason varchar(1000);
alter table commands add column held_at timestamp with time zone;
alter table commands add column withdraw_pending boolean default false not null;
create index ix_commands_withdraw on commands (withdraw_pending, environment_id);
