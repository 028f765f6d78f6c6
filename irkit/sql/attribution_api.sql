-- Which in-scope events are API calls to explain? Everything but the agents' own telemetry (tool
-- calls, agent invocations, spans, MCP messages: system mcp or mcp:<server>), with the credentials
-- each issued or created (what hands a credential to the agent whose tool call made it).
-- Binds nothing. Uses: events, actors, attribution_scope(event_uid).
SELECT e.event_uid, e.time, e.source, e.operation, e.target_uid, e.target_system, e.credential_uid,
       e.actor_uid, a.identity_id,
       [c.uid FOR c IN e.credentials IF c.action IN ('issued', 'created') AND c.uid IS NOT NULL] AS issued_credentials
FROM events e JOIN attribution_scope s USING (event_uid) LEFT JOIN actors a USING (actor_uid)
WHERE e.class_name NOT IN ('tool_call', 'agent_invocation') AND e.span_uid IS NULL
  AND coalesce(e.target_system || ':', '') NOT LIKE 'mcp:%'
