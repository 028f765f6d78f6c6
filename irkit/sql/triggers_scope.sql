-- Which events belong to the identities under analysis, in the window and in the baseline before it?
-- Every event with its *responsible* identity: the identity that opened the role session it ran in
-- (trigger_key_owners), that spawned the sub-agent that made it (trigger_agent_owners), else its own
-- canonical identity. In the window [$since, $until]: events whose responsible identity is in
-- $identities, and events made with a credential those identities created (trigger_created), after
-- its creation; such events keep the acting identity and name the creator in attributed_to. In the
-- baseline [$baseline_since, $since): events of $baseline_identities (the analysed identities and
-- those that acted with a created credential).
-- Binds: $since, $until (may be NULL), $baseline_since, $identities, $baseline_identities.
-- Uses: events, actors, trigger_key_owners, trigger_agent_owners, trigger_created (registered tables).
WITH base AS (
    SELECT e.event_uid, e.time, e.source, e.class_name, e.operation, e.status, e.actor_uid,
           e.credential_uid, e.session_uid, e.target_uid, e.target_type, e.target_system, e.tool_name,
           e.resources, e.evidence_offset,
           a.identity_id AS actor_identity,
           coalesce(k.owner, g.owner, a.identity_id) AS responsible,
           CASE WHEN k.owner IS NOT NULL THEN 'role session' WHEN g.owner IS NOT NULL THEN 'sub-agent' END AS lifted,
           c.creator_identity, c.time AS created_at,
           CASE WHEN e.time < $since THEN 'baseline' ELSE 'window' END AS period
    FROM events e
    JOIN actors a ON a.actor_uid = e.actor_uid
    LEFT JOIN trigger_key_owners k ON k.credential_uid = e.credential_uid
    LEFT JOIN trigger_agent_owners g ON g.actor_uid = e.actor_uid
    LEFT JOIN trigger_created c ON c.credential_uid = e.credential_uid
    WHERE e.time >= $baseline_since AND ($until IS NULL OR e.time <= $until)
)
SELECT event_uid, time, source, class_name, operation, status, actor_uid, credential_uid, session_uid,
       target_uid, target_type, target_system, tool_name, resources, evidence_offset, actor_identity, period,
       CASE WHEN list_contains($identities, responsible) OR period = 'baseline' THEN responsible ELSE actor_identity END AS identity,
       CASE WHEN list_contains($identities, responsible) OR period = 'baseline' THEN coalesce(lifted, 'self')
            ELSE 'created credential' END AS via,
       CASE WHEN list_contains($identities, responsible) OR period = 'baseline' THEN responsible ELSE creator_identity END AS attributed_to
FROM base
WHERE (period = 'window' AND (list_contains($identities, responsible)
                              OR (creator_identity IS NOT NULL AND time >= created_at)))
   OR (period = 'baseline' AND list_contains($baseline_identities, responsible))
