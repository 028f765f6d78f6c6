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
-- The record columns come from the control candidates (trigger_candidates), never from a second pass
-- over the lake; delegations and credentials are read from handover_events by the rules that need them.
-- An event listed twice for one identity is left for triggers_scope_dedupe.sql.
-- Binds: $since. Uses: events, trigger_candidates (control_source.sql's columns), trigger_control(owner, event_uid, via, proof_event_uid),
-- trigger_control_users(owner, event_uid, via, proof_event_uid), trigger_contained(owner, at).
WITH c AS (
    SELECT owner, event_uid, via, proof_event_uid FROM trigger_control
    UNION ALL  -- baseline only, by construction
    SELECT owner, event_uid, via, proof_event_uid FROM trigger_control_users
),
unnamed AS (  -- a record that names no actor: the principal of the credential it used
    SELECT event_uid, [x.principal_uid FOR x IN credentials IF x.action = 'used'][1] AS principal
    FROM events WHERE actor_uid IS NULL AND len(credentials) > 0
),
base AS (
    SELECT f.event_uid, f.time, f.end_time, f.source, f.class_name, f.operation, f.activity, f.status,
           f.actor_uid, f.credential_uid, f.session_uid, f.target_uid, f.target_type, f.target_system,
           f.tool_name, f.evidence_offset, f.resources,
           coalesce(f.acting_identity, f.actor_uid, u.principal) AS actor_identity, c.owner, c.via AS control_via,
           c.proof_event_uid, CASE WHEN f.time < $since THEN 'baseline' ELSE 'window' END AS period,
           k.at AS contained_at
    FROM c JOIN trigger_candidates f USING (event_uid)
    LEFT JOIN unnamed u USING (event_uid)
    LEFT JOIN trigger_contained k ON k.owner = c.owner
)
SELECT * EXCLUDE (owner, control_via, contained_at),
       CASE WHEN period = 'window' AND control_via IN ('created credential', 'session signed in with created credential')
                 AND time > contained_at THEN actor_identity
            ELSE owner END AS identity,
       control_via AS via,
       owner AS attributed_to
FROM base
