-- What did the suspect's agents read before the first out-of-scope action? Every MCP tool result
-- (the `tool_result` resource of a tools/call response: the text the tool returned, first 4096
-- characters) answered at or before $at and after $since, of a tool call made by one of $agents.
-- Binds: $agents (identity ids: the suspect and the agents it controlled), $since, $at.
-- Uses: tool_calls, events, actors.
SELECT t.call_uid, t.response_uid, t.time, t.end_time, t.server, t.tool_name, t.arguments, t.session_uid,
       t.trace_uid, t.caller_span_uid, coalesce(t.agent, a.identity_id) AS agent,
       list_filter(r.resources, lambda x: x.type = 'tool_result')[1].uid AS result,
       r.evidence_file, r.evidence_offset
FROM tool_calls t
JOIN events r ON r.event_uid = t.response_uid
LEFT JOIN actors a ON a.actor_uid = t.actor_uid
WHERE list_contains($agents, coalesce(t.agent, a.identity_id))
  AND t.end_time <= $at AND t.time >= $since
  AND len(list_filter(r.resources, lambda x: x.type = 'tool_result')) > 0
ORDER BY t.end_time, t.call_uid
