-- The MCP tool calls of the suspect's agents from $since on, with their trace and session: the steps
-- of the chain from the injected content to the API calls.
-- Binds: $agents (identity ids), $since, $until (NULL: open). Uses: tool_calls, actors.
SELECT t.call_uid, t.time, t.server, t.tool_name, t.arguments, t.status, t.session_uid, t.trace_uid,
       coalesce(t.agent, a.identity_id) AS agent
FROM tool_calls t
LEFT JOIN actors a ON a.actor_uid = t.actor_uid
WHERE list_contains($agents, coalesce(t.agent, a.identity_id))
  AND t.time >= $since AND ($until IS NULL OR t.time < $until)
ORDER BY t.time, t.call_uid
