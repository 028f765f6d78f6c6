-- Who still acted after being revoked? One row per (acting identity, revoked principal or credential)
-- with the first and last such event. Revoked (trigger_revoked, built from the incident file / CLI):
-- 'principal' rows match events acting as that uid or using that credential after revoked_at; 'role'
-- rows (revoking a role's sessions only kills sessions issued before) match the temporary keys of that
-- role's sessions first seen at or before revoked_at. An event matching several rows counts once (its
-- credential first). Failed attempts are counted apart: they show revocation working, and someone trying.
-- Binds: $until (may be NULL). Uses: events, actors, trigger_revoked(uid, match, revoked_at, target, action, reason).
WITH start AS (SELECT min(revoked_at) AS t FROM trigger_revoked),
role_keys AS (
    SELECT e.credential_uid AS uid, r.revoked_at, r.target, r.action,
           'a session of ' || r.uid || ' opened before that revocation' AS reason
    FROM events e JOIN trigger_revoked r ON r.match = 'role' AND e.delegator_uid = r.uid
    WHERE e.source = 'cloudtrail' AND e.credential_uid IS NOT NULL
    GROUP BY e.credential_uid, r.uid, r.revoked_at, r.target, r.action
    HAVING min(e.time) <= r.revoked_at
),
revoked AS (
    SELECT uid, revoked_at, target, action, reason FROM trigger_revoked WHERE match = 'principal'
    UNION ALL
    SELECT uid, revoked_at, target, action, reason FROM role_keys
),
hits AS (
    SELECT e.event_uid, e.time, e.status, e.actor_uid, e.session_uid, e.src_ip, v.*, 1 AS pri
    FROM events e JOIN revoked v ON e.credential_uid = v.uid
    WHERE e.time > v.revoked_at AND e.time > (SELECT t FROM start) AND ($until IS NULL OR e.time <= $until)
    UNION ALL
    SELECT e.event_uid, e.time, e.status, e.actor_uid, e.session_uid, e.src_ip, v.*, 2 AS pri
    FROM events e JOIN revoked v ON e.actor_uid = v.uid
    WHERE e.time > v.revoked_at AND e.time > (SELECT t FROM start) AND ($until IS NULL OR e.time <= $until)
),
one AS (SELECT * FROM hits QUALIFY row_number() OVER (PARTITION BY event_uid ORDER BY pri, revoked_at, uid) = 1)
SELECT coalesce(a.identity_id, o.actor_uid) AS identity, o.uid AS subject,
       min(o.time) AS time, max(o.time) AS last_time,
       list_slice(list(o.event_uid ORDER BY o.time, o.event_uid), 1, 50) AS evidence,
       count(*) AS evidence_count, arg_min(o.session_uid, o.time) AS session,
       list(DISTINCT coalesce(a.identity_id, o.actor_uid)) AS acted_as,
       any_value(o.revoked_at) AS revoked_at, any_value(o.target) AS revoked_target,
       any_value(o.action) AS revoked_action, any_value(o.reason) AS revoked_reason,
       count(*) FILTER (WHERE o.status = 'failure') AS failures,
       list(DISTINCT o.src_ip ORDER BY o.src_ip) FILTER (WHERE o.src_ip IS NOT NULL) AS src_ips
FROM one o LEFT JOIN actors a ON a.actor_uid = o.actor_uid
GROUP BY 1, 2
