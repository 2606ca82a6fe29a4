-- Issue #12. An agent renews its client certificate over the stream: the hub records the certificate
-- it issued as the next one and keeps admitting the current one until the agent first connects with
-- the next (then it becomes current), so a renewal whose answer was lost locks nobody out.
alter table agents add column next_certificate_serial varchar(128);
alter table agents add column next_certificate_not_after timestamp with time zone;
