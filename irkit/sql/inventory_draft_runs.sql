-- Which principals act only while an agent runs? For every (principal, agent) pair: how many of the
-- principal's own records (not spans, tool calls or agent invocations: the cloud, directory and SaaS
-- audit records) fall inside one of the agent's invocations (its agent_invocation record's [time,
-- end_time], widened by $slack_s seconds each side for clock offsets between sources), in how many
-- distinct invocations, and how many records the principal has in the whole lake. A principal whose
-- records all lie inside one agent's runs, over several runs, is that agent's own principal (its
-- role, service account, app, bot): docs/inventory.md, "Aliases the logs prove". A role session
-- counts as its role (session_of). Evidence: the principal's first record inside a run, and that run.
-- Binds: $slack_s. Uses: events, principal_hops.
WITH parent AS (
    SELECT to_uid AS uid, min(from_uid) AS parent FROM principal_hops WHERE kind = 'session_of' GROUP BY to_uid
),
runs AS (
    SELECT coalesce(CASE WHEN target_type = 'agent' THEN target_uid END, actor_uid) AS agent, event_uid AS run_uid,
           time - to_seconds($slack_s) AS t0, coalesce(end_time, time) + to_seconds($slack_s) AS t1
    FROM events
    WHERE class_name = 'agent_invocation' AND actor_uid IS NOT NULL
),
records AS (
    SELECT e.event_uid, e.time, coalesce(p.parent, e.actor_uid) AS principal
    FROM events e LEFT JOIN parent p ON p.uid = e.actor_uid
    WHERE e.actor_uid IS NOT NULL AND e.span_uid IS NULL AND e.class_name NOT IN ('tool_call', 'agent_invocation')
      AND e.actor_type IS DISTINCT FROM 'agent'
),
inside AS (
    SELECT r.principal, u.agent, count(DISTINCT r.event_uid) AS events, count(DISTINCT u.run_uid) AS runs,
           arg_min(r.event_uid, (r.time, r.event_uid)) AS event_uid, arg_min(u.run_uid, (r.time, r.event_uid)) AS run_uid
    FROM records r JOIN runs u ON r.time BETWEEN u.t0 AND u.t1
    GROUP BY r.principal, u.agent
),
total AS (SELECT principal, count(*) AS total FROM records GROUP BY principal)
SELECT i.principal, i.agent, i.events, i.runs, t.total, i.events / t.total AS share, i.event_uid, i.run_uid
FROM inside i JOIN total t USING (principal)
WHERE i.principal <> i.agent
ORDER BY i.principal, share DESC, i.runs DESC, i.agent
