-- What did the controlled events hand their owner? The credentials they created or were issued
-- (credentials with action created / issued, and the credential of each grant hop), each from the
-- event's time on; and the sub-agents they started: an agent-invocation span whose nearest enclosing
-- agent-invocation span is a controlled event, controlled from its start to its end (its span end,
-- else the last record of its trace). Failed events hand over nothing.
-- Binds nothing. Uses: control_events(owner, event_uid, via, proof_event_uid, path), control_candidates.
WITH mine AS (
    SELECT c.owner, c.path, e.* FROM control_events c JOIN control_candidates e USING (event_uid)
    WHERE e.status IS DISTINCT FROM 'failure'
),
minted AS (
    SELECT m.owner, c.uid, m.time AS from_time,
           CASE c.action WHEN 'created' THEN 'created credential' ELSE 'issued credential' END AS via,
           m.event_uid AS proof_event_uid, list_append(m.path, m.event_uid) AS path, 2 AS pri
    FROM mine m, unnest(m.credentials) AS t(c)
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
       arg_min(via, (from_time, pri)) AS via, arg_min(proof_event_uid, (from_time, pri)) AS proof_event_uid,
       arg_min(path, (from_time, pri)) AS path
FROM minted GROUP BY owner, uid
