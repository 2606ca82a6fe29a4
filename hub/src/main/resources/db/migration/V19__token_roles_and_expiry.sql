-- Issue #12. API tokens carry a role (admin, operator, sre, billing; tenant-admin, tenant-viewer with
-- a tenant) and may expire; an expired token is refused like an unknown one. Tenant tokens issued
-- before roles existed keep what they could do: tenant-admin.
update api_tokens set role = 'tenant-admin' where role = 'tenant';
alter table api_tokens add column expires_at timestamp with time zone;
