-- Does the lake hold one log source at the times it is needed, and how completely? The log is the
-- events of the given sources narrowed by the bound filters (all from irkit/collect/retention.json,
-- never from log content). A continuous log (one that records every action on its systems) is needed
-- in every hour in which another source shows the suspect's chain acting on one of $systems
-- (coverage_touched); such an hour counts as covered when the log has a record in it or the hour
-- either side. Returns one row: the log's records overall and near the needed hours, how many of
-- those hours it covers and the first it misses, and how many of its records naming a tool lack a
-- resource of $resource_type (NULL: not checked).
-- Binds: $sources (list), $systems (list), $continuous, $system_like, $class_name, $not_class_name, $op_prefix,
-- $resource_type (each NULL when not used). Uses: events, coverage_touched.
WITH log AS (
    SELECT time, tool_name, resources
    FROM events
    WHERE list_contains($sources, source)
      AND ($system_like IS NULL OR target_system LIKE $system_like)
      AND ($class_name IS NULL OR class_name = $class_name)
      AND ($not_class_name IS NULL OR class_name IS DISTINCT FROM $not_class_name)
      AND ($op_prefix IS NULL OR starts_with(operation, $op_prefix))
),
need AS (
    SELECT DISTINCT date_trunc('hour', time) AS hour
    FROM coverage_touched
    WHERE $continuous AND list_contains($systems, system) AND NOT list_contains($sources, source)
),
log_hours AS (
    SELECT DISTINCT date_trunc('hour', time) AS hour FROM log
),
covered AS (
    SELECT n.hour, EXISTS (SELECT 1 FROM log_hours l
                           WHERE l.hour BETWEEN n.hour - INTERVAL 1 HOUR AND n.hour + INTERVAL 1 HOUR) AS ok
    FROM need n
),
near AS (
    SELECT l.* FROM log l
    WHERE date_trunc('hour', l.time) IN (SELECT DISTINCT date_trunc('hour', time) FROM coverage_touched
                                         WHERE list_contains($systems, system))
)
SELECT
    (SELECT count(*) FROM log) AS total,
    (SELECT min(time) FROM log) AS log_first,
    (SELECT max(time) FROM log) AS log_last,
    (SELECT count(*) FROM near) AS records,
    (SELECT count(*) FROM covered) AS hours,
    (SELECT count(*) FROM covered WHERE NOT ok) AS missed,
    (SELECT min(hour) FROM covered WHERE NOT ok) AS first_missed,
    (SELECT count(*) FROM near WHERE tool_name IS NOT NULL) AS named,
    (SELECT count(*) FROM near
      WHERE $resource_type IS NOT NULL AND tool_name IS NOT NULL
        AND NOT coalesce(list_contains(list_transform(resources, lambda x: x.type), $resource_type), false))
        AS without_resource
