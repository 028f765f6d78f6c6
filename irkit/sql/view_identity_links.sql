-- Which identity links do the logs prove? One row per (src, dst, kind) with the first proving event,
-- read from the normalized delegation and credential model (docs/normalization.md), never from a
-- vendor's fields. Kinds:
--   the delegation hop kinds (assume_role, impersonate, federate, on_behalf_of, spawn_agent, consent,
--   same_as, session_of): from_uid -> to_uid as the record states them;
--   spawn_agent also from the trace tree: the agent of an agent-invocation span -> the agent of an
--   agent-invocation span directly under one of its spans (OpenTelemetry GenAI: a sub-agent);
--   issued_credential: the principal a grant hop handed over -> the credential it yields;
--   uses_credential: actor -> the credential it authenticated with;
--   created_credential: actor -> a credential its successful record created or was issued.
-- Uses: events. Binds nothing.
WITH hopping AS (  -- every call of a session repeats its hops: unnest the distinct lists, not every record's
    SELECT delegations, source, status IS DISTINCT FROM 'failure' AS ok,
           min(time) AS time, max(time) AS last, arg_min(event_uid, (time, event_uid)) AS event_uid, count(*) AS events
    FROM events WHERE len(delegations) > 0
    GROUP BY delegations, source, ok
),
crediting AS (  -- the same for credential lists (a session's calls all name its key)
    SELECT * FROM (
        SELECT credentials, actor_uid, source, min(time) AS time, arg_min(event_uid, (time, event_uid)) AS event_uid
        FROM events WHERE actor_uid IS NOT NULL AND status = 'success' AND len(credentials) > 0
        GROUP BY credentials, actor_uid, source
    ) WHERE len(list_filter(credentials, lambda c: c.action IN ('created', 'issued'))) > 0
),
invocations AS (
    SELECT event_uid, time, source, actor_uid, trace_uid, span_uid, parent_span_uid FROM events
    WHERE class_name = 'agent_invocation' AND actor_uid IS NOT NULL AND trace_uid IS NOT NULL
),
spans AS (  -- only the traces in which an agent was invoked under another span
    SELECT trace_uid, span_uid, parent_span_uid, actor_uid, class_name FROM events
    WHERE trace_uid IN (SELECT trace_uid FROM invocations WHERE parent_span_uid IS NOT NULL) AND span_uid IS NOT NULL
),
-- the nearest agent-invocation span above each invocation's parent span (walking up the trace tree)
up AS (
    WITH RECURSIVE walk(child_uid, trace_uid, span_uid, depth) AS (
        SELECT i.event_uid, i.trace_uid, i.parent_span_uid, 1 FROM invocations i WHERE i.parent_span_uid IS NOT NULL
        UNION ALL
        SELECT w.child_uid, w.trace_uid, s.parent_span_uid, w.depth + 1
        FROM walk w JOIN spans s ON s.trace_uid = w.trace_uid AND s.span_uid = w.span_uid
        WHERE s.class_name IS DISTINCT FROM 'agent_invocation' AND s.parent_span_uid IS NOT NULL AND w.depth < 64
    )
    SELECT w.child_uid, arg_min(p.actor_uid, w.depth) AS parent_actor
    FROM walk w JOIN spans p ON p.trace_uid = w.trace_uid AND p.span_uid = w.span_uid
    WHERE p.class_name = 'agent_invocation'
    GROUP BY w.child_uid
),
links AS (
    SELECT h.from_uid AS src, h.to_uid AS dst, h.kind, e.event_uid, e.time, e.last, e.source, e.events
    FROM hopping e, unnest(e.delegations) AS t(h)
    WHERE e.ok OR h.scope = 'standing'
    UNION ALL
    SELECT h.to_uid, h.credential_uid, 'issued_credential', e.event_uid, e.time, e.last, e.source, e.events
    FROM hopping e, unnest(e.delegations) AS t(h)
    WHERE h.scope = 'grant' AND h.credential_uid IS NOT NULL AND e.ok
    UNION ALL
    SELECT u.parent_actor, i.actor_uid, 'spawn_agent', i.event_uid, i.time, i.time, i.source, 1
    FROM invocations i JOIN up u ON u.child_uid = i.event_uid
    WHERE u.parent_actor <> i.actor_uid
    UNION ALL
    SELECT actor_uid, credential_uid, 'uses_credential', arg_min(event_uid, (time, event_uid)), min(time), max(time),
           arg_min(source, (time, event_uid)), count(*)
    FROM events
    WHERE actor_uid IS NOT NULL AND credential_uid IS NOT NULL AND credential_uid <> actor_uid
    GROUP BY actor_uid, credential_uid
    UNION ALL
    SELECT e.actor_uid, c.uid, 'created_credential', e.event_uid, e.time, e.time, e.source, 1
    FROM crediting e, unnest(e.credentials) AS t(c)
    WHERE c.action IN ('created', 'issued') AND c.uid IS NOT NULL
)
SELECT src, dst, kind,
       arg_min(event_uid, (time, event_uid)) AS event_uid,
       min(time) AS first_time, max(last) AS last_time, sum(events) AS events,
       arg_min(source, (time, event_uid)) AS source
FROM links
WHERE src IS NOT NULL AND dst IS NOT NULL AND src <> dst
GROUP BY src, dst, kind
