-- Which records can hold the tool calls that explain the in-scope API calls? Every record of the
-- traces the scope's events belong to ($traces: a tool call belongs to the agent whose invocation
-- encloses it in its trace, so no other trace can hold one of the scope's agents' calls), and the tool
-- calls logged without trace context by one of $actors (the scope's actors and every actor of their
-- identities). attribution_calls.sql reads the trace tree of these records alone, not the lake's.
-- Binds: $traces, $actors (VARCHAR[]). Uses: events.
SELECT event_uid, time, end_time, trace_uid, span_uid, parent_span_uid, class_name, tool_name, target_type,
       target_uid, target_system, actor_uid, actor_type, session_uid, delegations, resources
FROM events WHERE trace_uid IN (SELECT unnest($traces))
UNION ALL
SELECT event_uid, time, end_time, trace_uid, span_uid, parent_span_uid, class_name, tool_name, target_type,
       target_uid, target_system, actor_uid, actor_type, session_uid, delegations, resources
FROM events
WHERE trace_uid IS NULL AND class_name = 'tool_call' AND span_uid IS NULL AND actor_uid IN (SELECT unnest($actors))
