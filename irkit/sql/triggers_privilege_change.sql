-- Which privilege changes did the analysed identities make in the window? One row per event:
--   a long-lived credential created (trigger_created);
--   the first delegation into a principal (assume a role, impersonate, federate / exchange a token):
--     a grant or event-scope hop of those kinds whose target principal (resolved to its identity: a role
--     session counts as its role) the identity never reached that way in the baseline and that is not
--     the identity itself (its first such event in the window only: every later access through an
--     impersonation carries the hop again);
--   the first event acting as another principal with a credential the identity created (a sign-in with
--     a key it added to that principal: the identity now holds the principal's rights);
--   a permission, role, membership or consent given to a principal (activity 'grant').
-- Binds nothing. Uses: trigger_events (materialized), handover_events (the delegations of the events that
-- hand something over: every hop that matters here is one), trigger_created, actors, inventory_aliases.
WITH w AS (SELECT * FROM trigger_events WHERE period = 'window' AND status = 'success'),
created AS (
    SELECT w.*, c.credential_uid AS subject,
           'created ' || coalesce(replace(c.kind, '_', ' '), 'credential') || ' ' || c.credential_uid
           || coalesce(' for ' || c.target_uid, '') || ' (' || w.operation || ')' AS what
    FROM w JOIN trigger_created c ON c.event_uid = w.event_uid
),
hops AS (
    SELECT e.*, h.kind AS hop_kind, h.to_uid,
           coalesce(ia.identity_id, ta.identity_id, h.to_uid) AS to_identity
    FROM (SELECT t.*, x.delegations FROM trigger_events t JOIN handover_events x USING (event_uid)
          WHERE t.status = 'success') AS e, unnest(e.delegations) AS t(h)
    LEFT JOIN inventory_aliases ia ON ia.alias = lower(h.to_uid)
    LEFT JOIN actors ta ON ta.actor_uid = h.to_uid
    WHERE h.kind IN ('assume_role', 'impersonate', 'federate') AND h.scope IN ('grant', 'event') AND h.to_uid IS NOT NULL
),
parents AS (  -- a new role session is named by its role (session_of in the same record)
    SELECT e.event_uid, h.to_uid, h.from_uid AS parent
    FROM (SELECT event_uid, delegations FROM handover_events WHERE event_uid IN (SELECT event_uid FROM trigger_events)) AS e,
         unnest(e.delegations) AS t(h)
    WHERE h.kind = 'session_of'
),
into_principals AS (
    SELECT h.*, coalesce(pa.identity_id, p.parent, h.to_identity) AS principal
    FROM hops h
    LEFT JOIN parents p ON p.event_uid = h.event_uid AND p.to_uid = h.to_uid
    LEFT JOIN inventory_aliases pa ON pa.alias = lower(p.parent)
),
firsts AS (
    SELECT w.*, w.principal AS subject,
           CASE w.hop_kind WHEN 'assume_role' THEN 'assumed role ' WHEN 'impersonate' THEN 'impersonated '
                           ELSE 'federated into ' END || w.principal || ' for the first time' AS what
    FROM into_principals w
    WHERE w.period = 'window' AND w.principal <> w.identity
      AND NOT EXISTS (SELECT 1 FROM into_principals b
                      WHERE b.period = 'baseline' AND b.identity = w.identity AND b.principal = w.principal)
    QUALIFY row_number() OVER (PARTITION BY w.identity, w.principal ORDER BY w.time, w.event_uid) = 1
),
became AS (
    SELECT w.*, w.actor_identity AS subject,
           'acted as ' || w.actor_identity || ' with a credential it created, for the first time' AS what
    FROM w WHERE w.via = 'created credential' AND w.actor_identity IS DISTINCT FROM w.identity
    QUALIFY row_number() OVER (PARTITION BY w.identity, w.actor_identity ORDER BY w.time, w.event_uid) = 1
),
grants AS (
    SELECT w.*, coalesce(w.target_uid, w.operation) AS subject, w.operation || ' on ' || coalesce(w.target_uid, '?') AS what
    FROM w WHERE w.activity = 'grant'
)
SELECT identity, subject, time, time AS last_time, [event_uid] AS evidence, 1 AS evidence_count,
       session_uid AS session, [actor_identity] AS acted_as, via, attributed_to, [what] AS detail
FROM (SELECT * FROM created UNION ALL BY NAME SELECT * FROM firsts UNION ALL BY NAME SELECT * FROM became
      UNION ALL BY NAME SELECT * FROM grants)
QUALIFY row_number() OVER (PARTITION BY event_uid ORDER BY what) = 1
