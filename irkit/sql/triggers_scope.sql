-- Which events belong to the identities under analysis, in the window and in the baseline before it?
-- Every event an analysed identity controls (trigger_control: irkit.control, bounded in time and by
-- event) with the identity responsible for it. In the window [$since, $until]: events made with a
-- credential the identity created after that identity was contained (trigger_contained: its last
-- revocation), and those of the sessions its sign-ins opened, keep the acting identity and name the
-- creator in attributed_to (the user whose new key
-- was used is who acted; the creator is who is responsible); before, they are the creator's (it holds
-- the secret it created: signing in with it is the creator acting as that user); every other
-- controlled event is the owner's. In the baseline [baseline start, $since): the owners' controlled
-- events, and the own events of identities that acted with a created credential (trigger_control_users),
-- so that their habits are known too.
-- Binds: $since. Uses: events, actors, trigger_control(owner, event_uid, via, proof_event_uid),
-- trigger_control_users(owner, event_uid, via, proof_event_uid), trigger_contained(owner, at).
WITH c AS (
    SELECT owner, event_uid, via, proof_event_uid FROM trigger_control
    UNION ALL  -- baseline only, by construction
    SELECT owner, event_uid, via, proof_event_uid FROM trigger_control_users
),
base AS (
    SELECT e.event_uid, e.time, e.end_time, e.source, e.class_name, e.operation, e.activity, e.status,
           e.actor_uid, e.credential_uid, e.session_uid, e.target_uid, e.target_type, e.target_system,
           e.tool_name, e.resources, e.delegations, e.credentials, e.evidence_offset,
           coalesce(a.identity_id, e.actor_uid, [x.principal_uid FOR x IN e.credentials IF x.action = 'used'][1]) AS actor_identity, c.owner, c.via AS control_via, c.proof_event_uid,
           CASE WHEN e.time < $since THEN 'baseline' ELSE 'window' END AS period, k.at AS contained_at
    FROM c JOIN events e USING (event_uid)
    LEFT JOIN actors a ON a.actor_uid = e.actor_uid
    LEFT JOIN trigger_contained k ON k.owner = c.owner
)
SELECT * EXCLUDE (owner, control_via, contained_at),
       CASE WHEN period = 'window' AND control_via IN ('created credential', 'session signed in with created credential')
                 AND time > contained_at THEN actor_identity
            ELSE owner END AS identity,
       control_via AS via,
       owner AS attributed_to
FROM base
QUALIFY row_number() OVER (PARTITION BY event_uid, identity ORDER BY control_via) = 1
