-- Which candidate events does each owner control, given what it controls so far, other than as itself
-- (control_self.sql)? One row per (owner, event) with how (via) and the event that proves the control
-- (proof_event_uid):
--   sub-agent       it acts as an agent the owner spawned, within that sub-agent invocation's span
--                   (control_principals: bounded in time);
--   <credential>    it was made with a credential the owner's controlled events created or were issued,
--                   from then on (control_credentials; via says how: role session, created credential...);
--   <hop kind>      it carries an event-scope delegation hop whose from_uid is the owner (or a principal
--                   it controls at that time): the impersonation recorded in the event itself;
--   session ...     the principal that signed in with such a credential, acting from the same address
--                   until the token it got expires (control_sessions): the records of many token
--                   consumers name the principal and client, never the token. Of several sessions
--                   open at the event, the one opened last proves it (the token in use).
-- A principal is never controlled as such: only these events are.
-- Binds nothing. Uses: control_candidates, control_self, handover_events, actors, inventory_aliases, control_owners(owner),
-- control_principals(owner, identity, from_time, to_time, via, proof_event_uid, path),
-- control_credentials(owner, uid, from_time, via, proof_event_uid, path),
-- control_sessions(owner, uid, src_ip, from_time, to_time, via, proof_event_uid, path).
WITH hops AS (
    SELECT e.event_uid, e.time, e.acting_identity, h.kind, h.from_uid
    FROM (SELECT c.event_uid, c.time, c.acting_identity, x.delegations FROM control_candidates c
          JOIN handover_events x USING (event_uid) WHERE x.event_hop) AS e, unnest(e.delegations) AS t(h)
    WHERE h.scope = 'event' AND h.from_uid IS NOT NULL
),
hop_identities AS (
    SELECT h.*, coalesce(ia.identity_id, fa.identity_id, h.from_uid) AS from_identity
    FROM hops h
    LEFT JOIN inventory_aliases ia ON ia.alias = lower(h.from_uid)
    LEFT JOIN actors fa ON fa.actor_uid = h.from_uid
),
found AS (
    SELECT p.owner, e.event_uid, 2 AS pri, p.via, p.proof_event_uid, p.path, CAST(0 AS DOUBLE) AS age
    FROM control_candidates e
    JOIN control_principals p ON p.identity = e.acting_identity AND e.time >= p.from_time AND e.time <= p.to_time
    WHERE e.acting_identity IS DISTINCT FROM p.owner
    UNION ALL
    SELECT c.owner, e.event_uid, 3, c.via, c.proof_event_uid, c.path, 0.0
    FROM control_candidates e JOIN control_credentials c ON c.uid = e.credential_uid AND e.time >= c.from_time
    WHERE e.acting_identity IS DISTINCT FROM c.owner
    UNION ALL
    SELECT s.owner, e.event_uid, 5, s.via, s.proof_event_uid, s.path, epoch(e.time) - epoch(s.from_time)
    FROM control_candidates e
    JOIN control_sessions s ON s.uid = e.actor_uid AND s.src_ip = e.src_ip
                           AND e.time >= s.from_time AND e.time <= s.to_time
    WHERE e.acting_identity IS DISTINCT FROM s.owner
    UNION ALL
    SELECT o.owner, h.event_uid, 4, h.kind, h.event_uid, CAST([] AS VARCHAR[]), 0.0
    FROM hop_identities h JOIN control_owners o ON o.owner = h.from_identity
    WHERE h.acting_identity IS DISTINCT FROM o.owner
    UNION ALL
    SELECT p.owner, h.event_uid, 4, h.kind, h.event_uid, p.path, 0.0
    FROM hop_identities h
    JOIN control_principals p ON p.identity = h.from_identity AND h.time >= p.from_time AND h.time <= p.to_time
    WHERE h.acting_identity IS DISTINCT FROM p.owner
)
SELECT owner, event_uid,
       arg_min(via, (pri, age, proof_event_uid)) AS via,
       arg_min(proof_event_uid, (pri, age, proof_event_uid)) AS proof_event_uid,
       arg_min(path, (pri, age, proof_event_uid)) AS path
FROM found
GROUP BY owner, event_uid
