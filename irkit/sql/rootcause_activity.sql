-- What did the suspect do in the window, counted: tool calls, API calls, and those that failed?
-- Root cause says "no evidence available" for a category whose kind of record is absent, and "not
-- supported" when the records are there but show nothing of it.
-- Binds nothing. Uses: trigger_events (irkit.triggers.build_scope, the suspect's controlled events).
SELECT
    count(*) FILTER (WHERE tool_name IS NOT NULL OR class_name = 'tool_call') AS tool_calls,
    count(*) FILTER (WHERE tool_name IS NULL AND class_name NOT IN ('tool_call', 'agent_invocation')
                     AND (target_system || ':') NOT LIKE 'mcp:%') AS api_calls,
    count(*) FILTER (WHERE status = 'failure' AND tool_name IS NULL AND class_name NOT IN ('tool_call', 'agent_invocation')
                     AND (target_system || ':') NOT LIKE 'mcp:%') AS api_failures
FROM trigger_events
WHERE period = 'window'
