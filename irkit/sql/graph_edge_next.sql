-- When did edge ($src -> $dst, $kind) first happen at or after $after (and by $until), and in which event?
-- The graph keeps only each edge's first and last time; time-respecting reach asks this when a node was
-- reached between the two. Binds: $src, $dst, $kind, $after, $until (may be NULL).
-- Uses: irkit_graph_edge_events (graph_edge_events.sql).
SELECT time, event_uid
FROM irkit_graph_edge_events($after, $until, true, true)
WHERE src = $src AND dst = $dst AND kind = $kind
ORDER BY time, event_uid
LIMIT 1
