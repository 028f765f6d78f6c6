-- The MCP tool calls of one identity (or of all), of the named tools (or all), in a window.
-- Binds: $identity (NULL: every identity), $tools (NULL: every tool), $since, $until (NULL: open).
-- Uses: tool_calls, actors.
SELECT t.time, a.identity_id AS identity, t.actor_uid, t.server, t.tool_name, t.arguments, t.status,
       t.status_detail, t.latency_ms, t.session_uid, t.call_uid, t.response_uid
FROM tool_calls t
LEFT JOIN actors a USING (actor_uid)
WHERE ($identity IS NULL OR a.identity_id = $identity)
  AND ($tools IS NULL OR list_contains($tools, t.tool_name))
  AND ($since IS NULL OR t.time >= $since)
  AND ($until IS NULL OR t.time < $until)
ORDER BY t.time, t.call_uid
