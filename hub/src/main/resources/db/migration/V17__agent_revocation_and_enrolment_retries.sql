-- Issue #12. Every replica polls for agents revoked in the last seconds to cut their streams: an
-- index on revoked_at keeps that one cheap query. A retried enrolment (the agent lost the answer)
-- is recognised by its join token and the hash of its key, and gets the same agent id again.
create index ix_agents_revoked_at on agents (revoked_at);
alter table agents add column public_key_sha256 char(64);
create index ix_agents_join_token on agents (join_token_id);
