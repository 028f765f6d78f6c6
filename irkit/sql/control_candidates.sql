-- Which events of the window could the owners control before anything is handed over? Their own
-- identity's, those carrying an event-scope delegation hop, and those of agents started under another
-- agent's span. The events made with handed-over credentials or in opened sessions join round by round
-- (control_more.sql), so the lake is never scanned for every credential anyone was ever issued.
-- Binds: $since, $until (either may be NULL). Uses: control_source (macro), control_owners(owner), actors, events.
WITH own AS (SELECT actor_uid FROM actors WHERE identity_id IN (SELECT owner FROM control_owners)),
spawned AS (
    SELECT DISTINCT actor_uid FROM events
    WHERE class_name = 'agent_invocation' AND parent_span_uid IS NOT NULL AND actor_uid IS NOT NULL
)
SELECT * FROM control_source($since, $until)
WHERE actor_uid IN (SELECT actor_uid FROM own)
   OR len(list_filter(delegations, lambda h: h.scope = 'event')) > 0
   OR actor_uid IN (SELECT actor_uid FROM spawned)
