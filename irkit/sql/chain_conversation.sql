-- Which conversation put the agent to work at the time of the incident, and who started it?
-- The agent's last invocation carrying an on_behalf_of hop (the user it acts for) at or before
-- $since (else the first after), with the human's last successful authentication before it.
-- Binds: $identity, $since. Uses: events, actors, inventory_aliases. Reads normalized columns only.
WITH spans AS (
    SELECT e.event_uid, e.time, h.from_uid AS human
    FROM events e JOIN actors a USING (actor_uid), unnest(e.delegations) AS t(h)
    WHERE e.class_name = 'agent_invocation' AND a.identity_id = $identity
      AND h.kind = 'on_behalf_of' AND h.to_uid = e.actor_uid AND h.from_uid IS NOT NULL
),
chosen AS (
    SELECT * FROM spans
    ORDER BY (time <= $since) DESC, CASE WHEN time <= $since THEN -epoch(time) ELSE epoch(time) END, event_uid
    LIMIT 1
),
human_identity AS (
    SELECT c.*, coalesce(ia.identity_id, c.human) AS human_id FROM chosen c
    LEFT JOIN inventory_aliases ia ON ia.alias = lower(c.human)
),
sign_in AS (
    SELECT h.event_uid AS span_uid, arg_max(e.event_uid, e.time) AS human_event_uid
    FROM human_identity h
    JOIN actors a ON a.identity_id = h.human_id
    JOIN events e ON e.actor_uid = a.actor_uid
    WHERE (e.class_name = 'authentication' OR e.activity = 'authenticate') AND e.status = 'success' AND e.time <= h.time
    GROUP BY h.event_uid
)
SELECT h.event_uid, h.time, h.human, h.human_id, s.human_event_uid
FROM human_identity h LEFT JOIN sign_in s ON s.span_uid = h.event_uid
