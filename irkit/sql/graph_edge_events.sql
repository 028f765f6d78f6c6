-- Defines the table macro irkit_graph_edge_events(since_t, until_t, control, touch): one row per
-- (event, edge) of the blast-radius graph for events between since_t and until_t (either may be NULL):
-- the control edges when `control` (but `uses`), the touch and structure edges and `uses` when `touch`,
-- and those only from the principals and credentials listed in the registered table graph_sources(uid)
-- (the ones the suspect controls: edges from anything else are never followed, and there are millions).
-- The graph queries (graph_control_edges, graph_touch_edges, graph_edge_next) read it; their parameters
-- are bound into the macro's arguments, never formatted into the text. Uses: events, graph_sources.
--
-- Edge kinds (src -> dst):
--   control (reaching src gives the ability to act as / with dst):
--     assumed_role  caller -> role it assumed (AssumeRole*, success)
--     assumed       caller -> the role session that AssumeRole created (resources: iam_role_session)
--     issued        that new role session -> its temporary key (resources: credential)
--     uses          principal -> credential it used (credential_uid)
--     created       principal -> credential it created (resources: credential; not AssumeRole)
--     spawned       parent agent -> sub-agent it invoked (OTel invoke_agent/create_agent under its span)
--     impersonated / on_behalf_of / delegated   delegator_uid -> actor_uid outside CloudTrail (CloudTrail's
--                   delegator is the role behind a session: following it would hand every later session
--                   of a role to whoever assumed it once, so AssumeRole's own session is used instead)
--   touch (dst was acted on; it is not controlled):
--     acted_on      principal or credential -> the target and every other resource the record names
--     called        principal or credential -> 'system::' || target_system
--   structure:
--     in_system     resource -> 'system::' || its system (drawn, never followed)
-- An "acting" event excludes model calls (target_type model) and MCP protocol housekeeping (initialize,
-- ping, */list, notifications, responses): they touch nothing downstream. Context resources (the
-- conversation, tool-call id, MCP session/server, model, org/enterprise, GitHub App, sourceIdentity,
-- agent) are not resources touched. A role session and its temporary key are the caller's new
-- identity (control edges), not things it acted on.
CREATE OR REPLACE TEMP MACRO irkit_graph_edge_events(since_t, until_t, control, touch) AS TABLE
WITH ev AS (
    SELECT event_uid, time, source, operation, status, actor_uid, credential_uid, delegator_uid,
           target_uid, target_type, target_system, resources, trace_uid, span_uid, parent_span_uid,
           source = 'cloudtrail' AND operation LIKE 'AssumeRole%' AS is_assume
    FROM events
    WHERE (since_t IS NULL OR time >= since_t) AND (until_t IS NULL OR time <= until_t)
),
mine AS (
    SELECT * FROM ev
    WHERE touch AND actor_uid IS NOT NULL
      AND (actor_uid IN (SELECT uid FROM graph_sources) OR credential_uid IN (SELECT uid FROM graph_sources))
),
acts AS (
    SELECT * FROM mine
    WHERE coalesce(target_type, '') <> 'model'
      AND NOT (source = 'mcp' AND (operation IN ('initialize', 'ping', 'response') OR operation LIKE '%/list'
                                   OR operation LIKE '% response' OR operation LIKE 'notifications/%'))
),
assumes AS (  -- list_filter before unnest: unnesting every record's resources costs 10x more
    SELECT *, list_filter(resources, lambda r: r.type = 'iam_role_session') AS new_sessions,
              list_filter(resources, lambda r: r.type = 'credential') AS new_keys
    FROM ev WHERE control AND is_assume AND status = 'success' AND actor_uid IS NOT NULL
),
creations AS (
    SELECT *, list_filter(resources, lambda r: r.type = 'credential') AS creds
    FROM ev WHERE control AND NOT is_assume AND status = 'success' AND actor_uid IS NOT NULL
      AND len(list_filter(resources, lambda r: r.type = 'credential')) > 0
),
touched AS (
    SELECT event_uid, time, operation, actor_uid, credential_uid, target_system,
           target_uid AS dst, target_type AS dst_type, target_system AS dst_system
    FROM acts
    WHERE target_uid IS NOT NULL AND target_uid <> actor_uid
    UNION ALL
    SELECT a.event_uid, a.time, a.operation, a.actor_uid, a.credential_uid, a.target_system,
           r.uid, r.type, coalesce(r.system, a.target_system)
    FROM acts a, unnest(a.resources) AS t(r)
    WHERE r.uid IS NOT NULL AND r.uid IS DISTINCT FROM a.target_uid AND r.uid <> a.actor_uid
      AND coalesce(r.type, '') NOT IN ('conversation', 'tool_call', 'mcp_session', 'mcp_server', 'model',
                                       'organization', 'enterprise', 'app', 'source_identity', 'agent')
      AND NOT (a.is_assume AND r.type IN ('iam_role_session', 'credential'))
)
SELECT actor_uid AS src, dst, 'acted_on' AS kind, time, event_uid, operation, dst_type, dst_system FROM touched
UNION ALL
SELECT credential_uid, dst, 'acted_on', time, event_uid, operation, dst_type, dst_system FROM touched
WHERE credential_uid IS NOT NULL AND credential_uid <> actor_uid
UNION ALL
SELECT dst, 'system::' || dst_system, 'in_system', time, event_uid, NULL, 'system', dst_system FROM touched
WHERE dst_system IS NOT NULL
UNION ALL
SELECT actor_uid, 'system::' || target_system, 'called', time, event_uid, operation, 'system', target_system
FROM acts WHERE target_system IS NOT NULL
UNION ALL
SELECT credential_uid, 'system::' || target_system, 'called', time, event_uid, operation, 'system', target_system
FROM acts WHERE target_system IS NOT NULL AND credential_uid IS NOT NULL AND credential_uid <> actor_uid
UNION ALL
SELECT actor_uid, target_uid, 'assumed_role', time, event_uid, operation, coalesce(target_type, 'iam_role'), target_system
FROM ev WHERE control AND is_assume AND status = 'success' AND actor_uid IS NOT NULL AND target_uid IS NOT NULL
UNION ALL
SELECT e.actor_uid, r.uid, 'assumed', e.time, e.event_uid, e.operation, 'role_session', e.target_system
FROM assumes e, unnest(e.new_sessions) AS t(r)
UNION ALL
SELECT s.uid, c.uid, 'issued', e.time, e.event_uid, e.operation, 'credential', c.system
FROM assumes e, unnest(e.new_sessions) AS t(s), unnest(e.new_keys) AS u(c)
UNION ALL
SELECT actor_uid, credential_uid, 'uses', time, event_uid, operation, 'credential', target_system
FROM mine WHERE credential_uid IS NOT NULL AND credential_uid <> actor_uid
UNION ALL
SELECT e.actor_uid, r.uid, 'created', e.time, e.event_uid, e.operation, 'credential', coalesce(r.system, e.target_system)
FROM creations e, unnest(e.creds) AS t(r)
UNION ALL
SELECT p.actor_uid, c.actor_uid, 'spawned', c.time, c.event_uid, c.operation, 'agent', c.target_system
FROM ev c
JOIN events p ON p.source = 'otel_genai' AND p.trace_uid = c.trace_uid AND p.span_uid = c.parent_span_uid
WHERE control AND c.source = 'otel_genai' AND c.operation IN ('invoke_agent', 'create_agent')
  AND c.actor_uid IS NOT NULL AND p.actor_uid IS NOT NULL AND p.actor_uid <> c.actor_uid
UNION ALL
SELECT delegator_uid, actor_uid,
       CASE WHEN source IN ('k8s_audit', 'gcp_audit') THEN 'impersonated'
            WHEN source IN ('otel_genai', 'okta') THEN 'on_behalf_of' ELSE 'delegated' END,
       time, event_uid, operation, 'principal', target_system
FROM ev
WHERE control AND source <> 'cloudtrail' AND delegator_uid IS NOT NULL AND actor_uid IS NOT NULL AND delegator_uid <> actor_uid
