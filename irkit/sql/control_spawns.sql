-- Which agent invocations were started under another agent's invocation, and when did each end? One
-- row per agent-invocation span with a parent span: its agent's identity, its start and end (its span
-- end, else the last record of its trace), and the event id of the nearest enclosing agent-invocation
-- span (walking up parent_span_uid through tool and model spans; OpenTelemetry GenAI trace trees).
-- Binds nothing. Uses: control_candidates, events.
WITH invocations AS (
    SELECT * FROM control_candidates
    WHERE class_name = 'agent_invocation' AND trace_uid IS NOT NULL AND parent_span_uid IS NOT NULL
),
spans AS (
    SELECT event_uid, trace_uid, span_uid, parent_span_uid, class_name, time, coalesce(end_time, time) AS end_time
    FROM events WHERE trace_uid IN (SELECT trace_uid FROM invocations) AND span_uid IS NOT NULL
),
trace_end AS (SELECT trace_uid, max(end_time) AS t FROM spans GROUP BY trace_uid),
walk AS (
    WITH RECURSIVE w(child_uid, trace_uid, span_uid, depth) AS (
        SELECT event_uid, trace_uid, parent_span_uid, 1 FROM invocations
        UNION ALL
        SELECT w.child_uid, w.trace_uid, s.parent_span_uid, w.depth + 1
        FROM w JOIN spans s ON s.trace_uid = w.trace_uid AND s.span_uid = w.span_uid
        WHERE s.class_name IS DISTINCT FROM 'agent_invocation' AND s.parent_span_uid IS NOT NULL AND w.depth < 64
    )
    SELECT * FROM w
),
parents AS (
    SELECT w.child_uid, arg_min(p.event_uid, w.depth) AS parent_event_uid
    FROM walk w JOIN spans p ON p.trace_uid = w.trace_uid AND p.span_uid = w.span_uid
    WHERE p.class_name = 'agent_invocation'
    GROUP BY w.child_uid
)
SELECT i.event_uid, i.acting_identity AS identity, i.time AS from_time,
       CASE WHEN i.end_time > i.time THEN i.end_time ELSE t.t END AS to_time, p.parent_event_uid
FROM invocations i
JOIN parents p ON p.child_uid = i.event_uid
JOIN trace_end t USING (trace_uid)
WHERE i.acting_identity IS NOT NULL
