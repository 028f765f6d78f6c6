-- What did the controlled events hand their owner? The credentials they created or were issued
-- (credentials with action created / issued, and the credential of each grant hop), each from the
-- event's time on; and the sessions a sign-in with such a credential opened (what = 'session': uid is
-- the principal, bounded by src_ip and [from_time, to_time]). Failed events hand over nothing.
-- Binds: $session_s. Uses: control_events(owner, event_uid, via, proof_event_uid, path), control_candidates,
-- handover_events.
WITH mine AS (
    SELECT c.owner, c.path, c.via, a.*
    FROM (SELECT e.*, x.delegations, x.minted FROM control_candidates e  -- the few that can hand over first
          LEFT JOIN handover_events x ON x.event_uid = e.event_uid
          WHERE e.status IS DISTINCT FROM 'failure' AND (x.event_uid IS NOT NULL OR e.signs_in)) AS a
    JOIN control_events c ON c.event_uid = a.event_uid
),
minted AS (
    SELECT m.owner, c.uid, m.time AS from_time,
           CASE c.action WHEN 'created' THEN 'created credential' ELSE 'issued credential' END AS via,
           m.event_uid AS proof_event_uid, list_append(m.path, m.event_uid) AS path, 2 AS pri
    FROM mine m, unnest(m.minted) AS t(c)
    WHERE c.action IN ('created', 'issued') AND c.uid IS NOT NULL
    UNION ALL
    SELECT m.owner, h.credential_uid, m.time,
           CASE h.kind WHEN 'assume_role' THEN 'role session' WHEN 'impersonate' THEN 'impersonation token'
                       WHEN 'federate' THEN 'federated token' ELSE h.kind END,
           m.event_uid, list_append(m.path, m.event_uid), 1
    FROM mine m, unnest(m.delegations) AS t(h)
    WHERE h.scope = 'grant' AND h.credential_uid IS NOT NULL
)
SELECT 'credential' AS what, owner, uid, min(from_time) AS from_time, CAST(NULL AS TIMESTAMPTZ) AS to_time,
       CAST(NULL AS VARCHAR) AS src_ip,
       arg_min(via, (from_time, pri)) AS via, arg_min(proof_event_uid, (from_time, pri)) AS proof_event_uid,
       arg_min(path, (from_time, pri)) AS path
FROM minted GROUP BY owner, uid
UNION ALL
-- a sign-in with a credential handed over opens a session: the same principal acting from the same
-- address until the token it was issued expires (else $session_s seconds; the records of many token
-- consumers name the principal and its client, never the token)
SELECT 'session', m.owner, m.actor_uid, m.time,
       coalesce(list_min([c.expires FOR c IN m.minted IF c.action = 'issued' AND c.expires IS NOT NULL]),
                m.time + to_seconds(CAST($session_s AS BIGINT))),
       m.src_ip, 'session signed in with ' || m.via, m.event_uid, list_append(m.path, m.event_uid)
FROM mine m
WHERE m.via IN ('created credential', 'issued credential') AND m.src_ip IS NOT NULL AND m.actor_uid IS NOT NULL
  AND m.signs_in
