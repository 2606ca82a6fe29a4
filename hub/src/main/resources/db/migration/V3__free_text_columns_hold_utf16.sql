-- Names are limited in characters (Unicode code points; see docs/api.md). PostgreSQL's varchar(n) counts
-- code points, but H2 counts UTF-16 units, in which a character outside the BMP (an emoji, many CJK
-- ideographs) takes two: a 200-character name could overflow varchar(200) there. The hub checks the
-- limits itself; the columns only need room for twice as many units.
alter table tenants alter column name set data type varchar(400);
alter table api_tokens alter column name set data type varchar(400);
alter table environments alter column name set data type varchar(400);
alter table environments alter column region set data type varchar(200);
alter table environments alter column cluster_name set data type varchar(400);
