-- Which traces and actors does attribution's scope reach? One row per kind ('trace' or 'actor') and
-- uid: the traces of the in-scope events, and the actors of their identities (attribution_records.sql
-- binds both). Binds nothing. Uses: attribution_scope(event_uid), control_candidates, actors.
SELECT DISTINCT 'trace' AS kind, c.trace_uid AS uid
FROM attribution_scope s JOIN control_candidates c ON c.event_uid = s.event_uid
WHERE c.trace_uid IS NOT NULL
UNION
SELECT 'actor', a.actor_uid
FROM actors a
WHERE a.identity_id IN (SELECT c.acting_identity FROM attribution_scope s
                        JOIN control_candidates c ON c.event_uid = s.event_uid)
   OR a.actor_uid IN (SELECT c.actor_uid FROM attribution_scope s JOIN control_candidates c ON c.event_uid = s.event_uid)
