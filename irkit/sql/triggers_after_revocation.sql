-- Who still acted after being revoked? One row per (acting identity, revoked principal or credential)
-- with the first and last such event. Revoked (trigger_revoked, built from the incident file / CLI):
-- rows match events acting as that uid or using that credential after revoked_at, and the credentials
-- handed over into that principal or its sessions at or before revoked_at (revoking a role's sessions
-- kills the sessions issued before, not the ones a legitimate admin opens later; read from the grant
-- and session_of hops of the model). An event matching several rows counts once (its
-- credential first). A record naming no actor (a Git push with a deploy key) is the used credential's
-- principal's. A sign-in with a revoked credential opens a session (trigger_control: the events the
-- control model follows from it, the token consumers' records that name the principal, never the
-- token): those events count as uses of the credential too. Failed attempts are counted apart: they
-- show revocation working, and someone trying.
-- Binds: $until (may be NULL). Uses: events, handover_events, actors, trigger_revoked(uid, match, revoked_at, target, action, reason),
-- trigger_control(owner, event_uid, via, proof_event_uid).
WITH start AS (SELECT min(revoked_at) AS t FROM trigger_revoked),
grants AS (  -- credentials handed over into a principal or one of its sessions (grant hops)
    SELECT h.credential_uid AS uid, h.to_uid, e.time
    FROM handover_events e, unnest(e.delegations) AS t(h)
    WHERE h.scope = 'grant' AND h.credential_uid IS NOT NULL
),
session_keys AS (  -- the credentials sessions of a revoked principal used, with their first use
    SELECT e.credential_uid AS uid, a.session_of AS parent, min(e.time) AS time
    FROM events e JOIN actors a USING (actor_uid)
    WHERE a.session_of IN (SELECT uid FROM trigger_revoked WHERE match = 'principal') AND e.credential_uid IS NOT NULL
    GROUP BY ALL
),
derived_keys AS (
    SELECT g.uid, r.revoked_at, r.target, r.action,
           'a credential handed over into ' || r.uid || ' before that revocation' AS reason
    FROM grants g
    JOIN trigger_revoked r ON r.match = 'principal' AND g.time <= r.revoked_at
    LEFT JOIN actors s ON s.actor_uid = g.to_uid
    WHERE g.to_uid = r.uid OR s.session_of = r.uid
    UNION ALL
    SELECT k.uid, r.revoked_at, r.target, r.action,
           'a session of ' || r.uid || ' opened before that revocation'
    FROM session_keys k JOIN trigger_revoked r ON r.match = 'principal' AND k.parent = r.uid AND k.time <= r.revoked_at
),
revoked AS (
    SELECT uid, revoked_at, target, action, reason FROM trigger_revoked WHERE match = 'principal'
    UNION ALL
    SELECT uid, revoked_at, target, action, reason FROM derived_keys
),
hits AS (
    SELECT e.event_uid, e.time, e.status, e.actor_uid, e.session_uid, e.src_ip,
           [c.principal_uid FOR c IN e.credentials IF c.action = 'used'][1] AS credential_principal, v.*, 1 AS pri
    FROM events e JOIN revoked v ON e.credential_uid = v.uid
    WHERE e.time > v.revoked_at AND e.time > (SELECT t FROM start) AND ($until IS NULL OR e.time <= $until)
    UNION ALL
    SELECT e.event_uid, e.time, e.status, e.actor_uid, e.session_uid, e.src_ip,
           [c.principal_uid FOR c IN e.credentials IF c.action = 'used'][1] AS credential_principal, v.*, 2 AS pri
    FROM events e JOIN revoked v ON e.actor_uid = v.uid
    WHERE e.time > v.revoked_at AND e.time > (SELECT t FROM start) AND ($until IS NULL OR e.time <= $until)
),
direct AS (SELECT * FROM hits QUALIFY row_number() OVER (PARTITION BY event_uid ORDER BY pri, revoked_at, uid) = 1),
continued AS (  -- a sign-in with a revoked credential opened a session: its events use the credential too
    SELECT e.event_uid, e.time, e.status, e.actor_uid, e.session_uid, e.src_ip,
           [c.principal_uid FOR c IN e.credentials IF c.action = 'used'][1] AS credential_principal,
           d.uid, d.revoked_at, d.target, d.action, d.reason, 3 AS pri
    FROM (SELECT DISTINCT event_uid, proof_event_uid FROM trigger_control WHERE via LIKE 'session %') AS t
    JOIN direct d ON d.event_uid = t.proof_event_uid AND d.pri = 1
    JOIN events e ON e.event_uid = t.event_uid
    WHERE e.time > d.revoked_at AND ($until IS NULL OR e.time <= $until)
),
one AS (
    SELECT * FROM (SELECT * FROM direct UNION ALL BY NAME SELECT * FROM continued)
    QUALIFY row_number() OVER (PARTITION BY event_uid ORDER BY pri, revoked_at, uid) = 1
)
SELECT coalesce(a.identity_id, o.actor_uid, o.credential_principal) AS identity, o.uid AS subject,
       min(o.time) AS time, max(o.time) AS last_time,
       list_slice(list(o.event_uid ORDER BY o.time, o.event_uid), 1, 50) AS evidence,
       count(*) AS evidence_count, arg_min(o.session_uid, o.time) AS session,
       list(DISTINCT coalesce(a.identity_id, o.actor_uid, o.credential_principal)) AS acted_as,
       any_value(o.revoked_at) AS revoked_at, any_value(o.target) AS revoked_target,
       any_value(o.action) AS revoked_action, any_value(o.reason) AS revoked_reason,
       count(*) FILTER (WHERE o.status = 'failure') AS failures,
       list(DISTINCT o.src_ip ORDER BY o.src_ip) FILTER (WHERE o.src_ip IS NOT NULL) AS src_ips
FROM one o LEFT JOIN actors a ON a.actor_uid = o.actor_uid
GROUP BY 1, 2
