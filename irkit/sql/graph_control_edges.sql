-- Which control edges (assumed a role, opened a session, issued, created, spawned, delegated) happened
-- between $since and $until? One row per (src, dst, kind)
-- with first and last time, the first evidence event (ties broken by the smallest event id, so the
-- answer is the same on every run), the number of events and up to 20 distinct operations.
-- Binds: $since, $until (either may be NULL). Uses: irkit_graph_edge_events (graph_edge_events.sql).
SELECT src, dst, kind,
       min(time) AS first_time,
       arg_min(event_uid, (time, event_uid)) AS event_uid,
       max(time) AS last_time,
       count(*) AS events,
       list_slice(list(DISTINCT operation ORDER BY operation) FILTER (WHERE operation IS NOT NULL), 1, 20) AS operations,
       arg_min(dst_type, (time, event_uid)) FILTER (WHERE dst_type IS NOT NULL) AS dst_type,
       arg_min(dst_system, (time, event_uid)) FILTER (WHERE dst_system IS NOT NULL) AS dst_system
FROM irkit_graph_edge_events($since, $until, true, false)
WHERE src IS NOT NULL AND dst IS NOT NULL
GROUP BY src, dst, kind
