-- What agents report is limited in characters (Unicode code points; see docs/protocol.md and
-- proto/.../FieldLimits). PostgreSQL's varchar(n) counts code points, but H2 counts UTF-16 units, in
-- which a character outside the BMP takes two: a 100-character agent version could overflow
-- varchar(100) there, and a 3000-character failure reason varchar(4000). The hub checks the limits
-- itself; the columns only need room for twice as many units.
alter table agents alter column version set data type varchar(200);
alter table agents alter column kubernetes_version set data type varchar(200);
alter table agents alter column platform set data type varchar(200);
alter table operations alter column failure_reason set data type varchar(8000);
alter table deployments alter column status_reason set data type varchar(8000);
