-- Which rows of trigger_events list an event a second time for the same identity? (event, owner) is
-- unique in the control tables and the owners are distinct identities, so only an event one of whose
-- rows names the acting identity instead of its owner can be; of those, all but the first via go.
-- Binds nothing. Uses: trigger_events.
DELETE FROM trigger_events WHERE rowid IN (
    SELECT rowid FROM (
        SELECT rowid, row_number() OVER (PARTITION BY event_uid, identity ORDER BY via) AS n
        FROM trigger_events
        WHERE event_uid IN (SELECT event_uid FROM trigger_events WHERE identity IS DISTINCT FROM attributed_to)
    ) WHERE n > 1
)
