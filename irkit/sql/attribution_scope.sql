-- Which events are attribution's to explain? Those of the given identities (the suspect and what it
-- reached by delegation) and those made with a credential one of them created, in [$since, $until].
-- Binds: $ids, $creds, $since, $until (NULL: open). Uses: events, actors.
SELECT DISTINCT e.event_uid
FROM events e LEFT JOIN actors a USING (actor_uid)
WHERE (list_contains($ids, a.identity_id) OR list_contains($creds, e.credential_uid))
  AND ($since IS NULL OR e.time >= $since) AND ($until IS NULL OR e.time <= $until)
