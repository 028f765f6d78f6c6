-- Where and when does the lake record activity in the window? (coverage without a suspect) One row per
-- (event, its source, its target system). Binds: $since, $until (NULL: unbounded). Uses: events.
SELECT event_uid, time, source, target_system AS system
FROM events
WHERE target_system IS NOT NULL
  AND ($since IS NULL OR time >= $since) AND ($until IS NULL OR time <= $until)
