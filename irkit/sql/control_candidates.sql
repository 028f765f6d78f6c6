-- Which events could be under anyone's control in [$since, $until] (overlapping it: a span that began
-- before $since and ends inside counts, so a sub-agent it starts is followed)? A cheap superset, computed once
-- per question and iterated on by control_step.sql: events acting as one of the owners' identities,
-- events made with a credential some record created or issued, events carrying an event-scope
-- delegation hop, events acting as an agent some invocation span started, and events of principals
-- that signed in with a created or issued credential.
-- Binds: $since, $until (either may be NULL). Uses: events, actors, control_owners(owner).
WITH minted AS (
    SELECT DISTINCT c.uid
    FROM (SELECT DISTINCT credentials FROM events  -- distinct lists: a session's calls repeat one
          WHERE len(credentials) > 0 AND ($until IS NULL OR time <= $until)) AS e, unnest(e.credentials) AS t(c)
    WHERE c.action IN ('created', 'issued') AND c.uid IS NOT NULL
    UNION
    SELECT DISTINCT h.credential_uid
    FROM (SELECT DISTINCT delegations FROM events
          WHERE len(delegations) > 0 AND ($until IS NULL OR time <= $until)) AS e, unnest(e.delegations) AS t(h)
    WHERE h.scope = 'grant' AND h.credential_uid IS NOT NULL
),
agents AS (
    SELECT DISTINCT actor_uid FROM events WHERE class_name = 'agent_invocation' AND actor_uid IS NOT NULL
),
signing_in AS (  -- principals that signed in with such a credential: their sessions may follow
    SELECT DISTINCT actor_uid FROM events
    WHERE credential_uid IN (SELECT uid FROM minted) AND actor_uid IS NOT NULL
      AND (activity = 'authenticate' OR class_name = 'authentication')
)
SELECT e.event_uid, e.time, coalesce(e.end_time, e.time) AS end_time, e.status, e.actor_uid, e.credential_uid,
       e.delegations, e.credentials, e.class_name, e.activity, e.src_ip, e.trace_uid, e.span_uid, e.parent_span_uid,
       a.identity_id AS acting_identity
FROM events e
LEFT JOIN actors a USING (actor_uid)
WHERE ($since IS NULL OR coalesce(e.end_time, e.time) >= $since) AND ($until IS NULL OR e.time <= $until)
  AND (a.identity_id IN (SELECT owner FROM control_owners)
       OR e.credential_uid IN (SELECT uid FROM minted)
       OR len(list_filter(e.delegations, lambda h: h.scope = 'event')) > 0
       OR e.actor_uid IN (SELECT actor_uid FROM agents)
       OR e.actor_uid IN (SELECT actor_uid FROM signing_in))
