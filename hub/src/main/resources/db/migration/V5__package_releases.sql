-- Issue #8: service packages are releases too. A release is of kind 'manifests' (a template, as before)
-- or 'package' (an uploaded .tgz the hub inspected). Existing rows become active manifest releases.
-- Packages keep manifests = '' (the column stays not null), the archive itself (bytea: BINARY VARYING
-- on H2, up to 1 GB there; the hub takes at most 20 MiB) and what was read from it at upload, so that
-- listing never unpacks an archive. The archive's SHA-256 tells a byte-identical retry from a clash.
alter table releases add column kind varchar(16) default 'manifests' not null;
alter table releases add column archive bytea;
alter table releases add column archive_sha256 varchar(64);
alter table releases add column archive_bytes bigint;
alter table releases add column manifest_json text;
alter table releases add column plans_json text;
alter table releases add column default_plan varchar(126);
alter table releases add column secret_parameters_json text;
-- active, deprecated (no new deployments) or yanked (final: refused for new deployments and updates).
-- The reason is at most 1000 code points; H2 counts UTF-16 units, hence room for twice as many.
alter table releases add column status varchar(16) default 'active' not null;
alter table releases add column status_reason varchar(2000);
alter table releases add column status_changed_at timestamp with time zone;
create index ix_releases_archive_sha256 on releases (archive_sha256);
