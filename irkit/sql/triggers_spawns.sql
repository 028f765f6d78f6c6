-- Which agent spawned which sub-agent? One row per (child actor uid, parent canonical identity) with the
-- first spawn: an OpenTelemetry invoke_agent/create_agent span whose parent span belongs to another
-- agent. Binds: $until (may be NULL). Uses: events, actors.
SELECT c.actor_uid AS child, pa.identity_id AS parent_identity,
       min(c.time) AS time, arg_min(c.event_uid, c.time) AS event_uid
FROM events c
JOIN events p ON p.source = 'otel_genai' AND p.trace_uid = c.trace_uid AND p.span_uid = c.parent_span_uid
JOIN actors pa ON pa.actor_uid = p.actor_uid
WHERE c.source = 'otel_genai' AND c.operation IN ('invoke_agent', 'create_agent')
  AND c.actor_uid IS NOT NULL AND p.actor_uid <> c.actor_uid AND ($until IS NULL OR c.time <= $until)
GROUP BY c.actor_uid, pa.identity_id
