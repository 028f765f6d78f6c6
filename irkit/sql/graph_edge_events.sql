-- Defines the table macro irkit_graph_edge_events(since_t, until_t, control, touch): one row per
-- (event, edge) of the blast-radius graph, for the events the suspect controls (graph_control: the
-- irkit.control result for the suspect) between since_t and until_t (either may be NULL): the control
-- edges when `control` (but `uses`), the touch and structure edges and `uses` when `touch`. Only
-- controlled events make edges, so a shared principal's own life never enters the graph. The graph
-- queries (graph_control_edges, graph_touch_edges, graph_edge_next) read it; their parameters are bound
-- into the macro's arguments, never formatted into the text.
-- Uses: events, actors, graph_control(event_uid, via, proof_event_uid), control_spawns(event_uid, parent_event_uid).
--
-- Edge kinds (src -> dst), all read from the normalized model:
--   control (reaching src gives the ability to act as / with dst):
--     assumed_role  caller -> the principal a new session is a session of (grant hop + session_of)
--     assumed       caller -> the principal a grant hop handed it (the new role session, a token's SA)
--     issued        that principal -> the credential the grant yields; caller -> a credential issued to it
--     created       principal -> a credential its event created
--     uses          principal -> credential it used (credential_uid)
--     acted_as      credential -> the principal that acted with it in a controlled event
--     spawned       parent agent -> sub-agent started under its invocation span
--     impersonated / on_behalf_of / delegated   the from_uid of an event-scope hop -> the acting principal
--   touch (dst was acted on; it is not controlled):
--     acted_on      principal or credential -> the target and every other resource the record names
--     called        principal or credential -> 'system::' || target_system
--   structure:
--     in_system     resource -> 'system::' || its system (drawn, never followed)
-- An "acting" event excludes model calls and protocol housekeeping (irkit_acts). Context resources
-- (irkit_context_type) are not resources touched; a new role session and the credential a grant hands
-- the caller are its new means to act as another principal (control edges), not things it acted on.
CREATE OR REPLACE TEMP MACRO irkit_graph_edge_events(since_t, until_t, control, touch) AS TABLE
WITH ev AS (
    SELECT e.event_uid, e.time, e.operation, e.status, e.actor_uid, e.credential_uid, e.target_uid,
           e.target_type, e.target_system, e.resources, e.delegations, e.credentials, g.via, g.proof_event_uid
    FROM events e JOIN graph_control g USING (event_uid)
    WHERE (since_t IS NULL OR e.time >= since_t) AND (until_t IS NULL OR e.time <= until_t)
      AND (since_t IS NULL OR e.day >= CAST(since_t AS DATE)) AND (until_t IS NULL OR e.day <= CAST(until_t AS DATE))
      AND e.actor_uid IS NOT NULL
),
acts AS (SELECT * FROM ev WHERE touch AND irkit_acts(operation, target_type)),
granting AS (  -- list_filter before unnest: unnesting every record's lists costs far more
    SELECT *, list_filter(delegations, lambda h: h.scope = 'grant' AND h.to_uid IS NOT NULL) AS grants,
              list_filter(delegations, lambda h: h.kind = 'session_of') AS sessions,
              list_filter(credentials, lambda c: c.action IN ('created', 'issued') AND c.uid IS NOT NULL) AS minted
    FROM ev WHERE control AND status IS DISTINCT FROM 'failure'
      AND (len(delegations) > 0 OR len(credentials) > 0)
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
      AND NOT irkit_context_type(r.type) AND coalesce(r.type, '') <> 'iam_role_session'
      AND NOT list_contains([h.credential_uid FOR h IN a.delegations IF h.scope = 'grant'], r.uid)
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
SELECT actor_uid, credential_uid, 'uses', time, event_uid, operation, 'credential', target_system
FROM ev WHERE touch AND credential_uid IS NOT NULL AND credential_uid <> actor_uid
UNION ALL
SELECT e.actor_uid, h.to_uid, 'assumed', e.time, e.event_uid, e.operation, 'principal', e.target_system
FROM granting e, unnest(e.grants) AS t(h)
UNION ALL
SELECT e.actor_uid, s.from_uid, 'assumed_role', e.time, e.event_uid, e.operation, 'principal', e.target_system
FROM granting e, unnest(e.grants) AS t(h), unnest(e.sessions) AS u(s)
WHERE s.to_uid = h.to_uid AND s.from_uid IS NOT NULL
UNION ALL
SELECT h.to_uid, h.credential_uid, 'issued', e.time, e.event_uid, e.operation, 'credential', e.target_system
FROM granting e, unnest(e.grants) AS t(h)
WHERE h.credential_uid IS NOT NULL
UNION ALL
SELECT e.actor_uid, c.uid, CASE c.action WHEN 'created' THEN 'created' ELSE 'issued' END, e.time, e.event_uid,
       e.operation, 'credential', e.target_system
FROM granting e, unnest(e.minted) AS t(c)
WHERE NOT list_contains([h.credential_uid FOR h IN e.grants], c.uid)
UNION ALL
SELECT credential_uid, actor_uid, 'acted_as', time, event_uid, operation, 'principal', target_system
FROM ev WHERE control AND credential_uid IS NOT NULL AND credential_uid <> actor_uid AND via <> 'self'
UNION ALL
SELECT p.actor_uid, c.actor_uid, 'spawned', c.time, c.event_uid, c.operation, 'agent', c.target_system
FROM ev c
JOIN control_spawns s ON s.event_uid = c.event_uid
JOIN events p ON p.event_uid = s.parent_event_uid
WHERE control AND p.actor_uid IS NOT NULL AND p.actor_uid <> c.actor_uid
UNION ALL
SELECT h.from_uid, e.actor_uid,
       CASE h.kind WHEN 'impersonate' THEN 'impersonated' WHEN 'on_behalf_of' THEN 'on_behalf_of' ELSE 'delegated' END,
       e.time, e.event_uid, e.operation, 'principal', e.target_system
FROM (SELECT * FROM ev WHERE control AND len(delegations) > 0) AS e, unnest(e.delegations) AS t(h)
WHERE h.scope = 'event' AND h.from_uid IS NOT NULL AND h.from_uid <> e.actor_uid
  AND h.kind IN ('impersonate', 'federate', 'on_behalf_of', 'assume_role')
