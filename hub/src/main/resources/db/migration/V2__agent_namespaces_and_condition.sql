-- What an agent reports beyond its facts (outpost.v1 Hello.allowed_namespaces, Hello/Heartbeat.condition),
-- and a node count that can be unknown. All nullable: null means the agent has not told (older agents).
alter table agents add column allowed_namespaces_json text;
alter table agents add column condition_state varchar(16);
alter table agents add column condition_reason varchar(2000);
alter table agents add column condition_since timestamp with time zone;
alter table agents alter column node_count drop not null;
-- Agents before this revision sent 0 when they could not list nodes (the least-privilege Role cannot):
-- that 0 meant unknown.
update agents set node_count = null where node_count = 0;
