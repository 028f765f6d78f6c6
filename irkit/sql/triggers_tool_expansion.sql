-- Which tools did each analysed identity call in the window outside its declared scope (inventory
-- scope.tools, or an MCP server outside scope.systems), or never call in the baseline (judged only for
-- identities with a baseline)? One row per (identity, tool). Calls are OTel execute_tool spans and MCP
-- tools/call requests (not responses). Binds nothing.
-- Uses: trigger_events (materialized), inventory_identities.
WITH calls AS (
    SELECT * FROM trigger_events
    WHERE class_name = 'tool_call' AND tool_name IS NOT NULL AND operation NOT LIKE '%response'
),
used_before AS (SELECT DISTINCT identity, tool_name FROM calls WHERE period = 'baseline'),
with_baseline AS (SELECT DISTINCT identity FROM trigger_events WHERE period = 'baseline'),
judged AS (
    SELECT c.*,
        i.identity_id IS NOT NULL AND len(i.tools) > 0
            AND len(list_filter(i.tools, lambda p: c.tool_name ~~~ p)) = 0 AS outside_tools,
        i.identity_id IS NOT NULL AND len(i.systems) > 0 AND c.target_system IS NOT NULL
            AND len(list_filter(i.systems, lambda s: c.target_system = s OR starts_with(c.target_system, s || ':')
                                                   OR c.target_system ~~~ s)) = 0 AS outside_systems,
        EXISTS (SELECT 1 FROM with_baseline b WHERE b.identity = c.identity)
            AND NOT EXISTS (SELECT 1 FROM used_before u WHERE u.identity = c.identity AND u.tool_name = c.tool_name) AS never_before
    FROM calls c
    LEFT JOIN inventory_identities i ON i.identity_id = c.identity
    WHERE c.period = 'window'
)
SELECT identity, tool_name AS subject, min(time) AS time, max(time) AS last_time,
       list_slice(list(event_uid ORDER BY time, event_uid), 1, 50) AS evidence,
       count(DISTINCT event_uid) AS evidence_count,
       arg_min(session_uid, time) AS session,
       list(DISTINCT actor_identity ORDER BY actor_identity) AS acted_as,
       arg_min(via, time) AS via, arg_min(attributed_to, time) AS attributed_to,
       list_filter([CASE WHEN bool_or(outside_tools) THEN 'outside scope.tools' END,
                    CASE WHEN bool_or(outside_systems) THEN 'on a server outside scope.systems' END,
                    CASE WHEN bool_or(never_before) THEN 'never used in the baseline' END], lambda x: x IS NOT NULL)
           || list(DISTINCT 'server ' || target_system ORDER BY 'server ' || target_system) FILTER (WHERE target_system IS NOT NULL) AS detail
FROM judged
WHERE outside_tools OR outside_systems OR never_before
GROUP BY identity, tool_name
