-- Which in-scope events are API calls to explain? Everything but the agents' own telemetry (tool
-- calls, agent invocations, spans, MCP messages: system mcp or mcp:<server>), with the credentials
-- each issued or created (what hands a credential to the agent whose tool call made it). Read from the
-- control candidates (every controlled event is one), never by looking events up in the lake.
-- Binds nothing. Uses: control_candidates, handover_events, attribution_scope(event_uid).
SELECT e.event_uid, e.time, e.source, e.operation, e.target_uid, e.target_system, e.credential_uid,
       e.actor_uid, e.acting_identity AS identity_id,
       coalesce([c.uid FOR c IN x.minted], []) AS issued_credentials
FROM control_candidates e
JOIN attribution_scope s ON s.event_uid = e.event_uid
LEFT JOIN handover_events x ON x.event_uid = e.event_uid
WHERE e.class_name NOT IN ('tool_call', 'agent_invocation') AND e.span_uid IS NULL
  AND coalesce(e.target_system || ':', '') NOT LIKE 'mcp:%'
