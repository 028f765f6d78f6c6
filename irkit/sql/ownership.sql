-- Which identities acted between $since and $until, and what does the inventory say about them?
-- Binds: $since, $until (either may be NULL). Uses: events, actors, inventory_identities.
WITH active AS (
    SELECT a.identity_id, min(e.time) AS first_seen, max(e.time) AS last_seen, count(*) AS events,
           list(DISTINCT e.actor_uid ORDER BY e.actor_uid) AS actor_uids,
           list(DISTINCT e.source ORDER BY e.source) AS sources,
           any_value(e.actor_type) AS actor_type
    FROM events e JOIN actors a USING (actor_uid)
    WHERE ($since IS NULL OR e.time >= $since) AND ($until IS NULL OR e.time <= $until)
    GROUP BY a.identity_id
)
SELECT a.identity_id, coalesce(i.kind, a.actor_type, 'unknown') AS kind, i.identity_id IS NOT NULL AS declared,
       i.business_owner, i.technical_owner, i.revocation_path,
       list_filter([
           CASE WHEN i.identity_id IS NULL THEN 'not in inventory' END,
           CASE WHEN i.identity_id IS NOT NULL AND i.business_owner IS NULL THEN 'no business owner' END,
           CASE WHEN i.identity_id IS NOT NULL AND i.technical_owner IS NULL THEN 'no technical owner' END,
           CASE WHEN i.identity_id IS NOT NULL AND i.revocation_path IS NULL THEN 'no revocation path' END
       ], lambda x: x IS NOT NULL) AS gaps,
       a.events, a.first_seen, a.last_seen, a.sources, a.actor_uids
FROM active a
LEFT JOIN inventory_identities i ON i.identity_id = a.identity_id
ORDER BY len(gaps) = 0, a.first_seen
