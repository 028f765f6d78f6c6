-- Which events of the window could the owners control before anything is handed over? Those acting as
-- one of $actors (control_own_actors.sql: the owners' own identity, agents started under another
-- agent's span; one scan filtered on the actor alone), and those carrying an event-scope delegation hop
-- (from handover_events, never from every record's delegation list). The events made with handed-over
-- credentials or in opened sessions join round by round (control_more.sql), so the lake is never
-- scanned for every credential anyone was ever issued.
-- Binds: $since, $until (either may be NULL), $actors (VARCHAR[]).
-- Uses: control_source (macro), events, handover_events.
SELECT * FROM control_source('events', $since, $until)
WHERE actor_uid IN (SELECT unnest($actors))
UNION ALL
SELECT * FROM control_source('handover_events', $since, $until)
WHERE (actor_uid IS NULL OR actor_uid NOT IN (SELECT unnest($actors)))
  AND event_uid IN (SELECT event_uid FROM handover_events WHERE event_hop)
