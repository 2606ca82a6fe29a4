-- H2 has no trigram index: `contains` and `regex` read the lines the other filters select (by
-- deployment, pod, tenant and time). The version keeps both databases' histories the same shape.
select 1;
