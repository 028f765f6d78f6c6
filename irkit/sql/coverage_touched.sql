-- Where and when did the suspect's chain act? One row per (controlled event, system it names as its
-- target or among its resources, and the source that recorded it) (control_events: irkit.control, computed for the window).
-- Binds: $owner. Uses: events, control_events.
SELECT e.event_uid, e.time, e.source, e.target_system AS system
FROM control_events c JOIN events e USING (event_uid)
WHERE c.owner = $owner AND e.target_system IS NOT NULL
UNION
SELECT event_uid, time, source, r.system AS system FROM (
    SELECT e.event_uid, e.time, e.source, unnest(e.resources) AS r
    FROM control_events c JOIN events e USING (event_uid)
    WHERE c.owner = $owner
) WHERE r.system IS NOT NULL
