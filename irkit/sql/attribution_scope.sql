-- Which events are attribution's to explain? Those $owner controls (control_events: irkit.control,
-- computed for the window). Binds: $owner. Uses: control_events.
SELECT DISTINCT event_uid FROM control_events WHERE owner = $owner
