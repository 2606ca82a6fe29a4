-- PostgreSQL only (the flyway location db/vendor/{vendor}): a trigram GIN index, so `contains`
-- (ILIKE '%...%') and `regex` (~) narrow to candidate lines by index instead of reading every line
-- of the time range. pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
create extension if not exists pg_trgm;
create index ix_log_lines_text_trgm on log_lines using gin (text gin_trgm_ops);
