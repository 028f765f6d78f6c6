-- Which identities acting in the window for the analysed identities have no business owner, technical
-- owner or revocation path, or are absent from the inventory? One row per identity; evidence: its first
-- event in each log source in the window. Binds nothing.
-- Uses: trigger_events (materialized), inventory_identities.
WITH firsts AS (
    SELECT actor_identity AS identity, source, min(time) AS time,
           arg_min(event_uid, (time, event_uid)) AS event_uid, arg_min(session_uid, time) AS session_uid,
           max(time) AS last_time, count(*) AS events, arg_min(attributed_to, time) AS attributed_to
    FROM trigger_events WHERE period = 'window'
    GROUP BY actor_identity, source
)
SELECT f.identity, f.identity AS subject, min(f.time) AS time, max(f.last_time) AS last_time,
       list(f.event_uid ORDER BY f.time, f.event_uid) AS evidence, sum(f.events) AS evidence_count,
       arg_min(f.session_uid, f.time) AS session, [f.identity] AS acted_as, 'self' AS via,
       arg_min(f.attributed_to, f.time) AS attributed_to,
       list_filter([
           CASE WHEN i.identity_id IS NULL THEN 'not in inventory' END,
           CASE WHEN i.identity_id IS NOT NULL AND i.business_owner IS NULL THEN 'no business owner' END,
           CASE WHEN i.identity_id IS NOT NULL AND i.technical_owner IS NULL THEN 'no technical owner' END,
           CASE WHEN i.identity_id IS NOT NULL AND i.revocation_path IS NULL THEN 'no revocation path' END
       ], lambda x: x IS NOT NULL) AS detail
FROM firsts f
LEFT JOIN inventory_identities i ON i.identity_id = f.identity
WHERE i.identity_id IS NULL OR i.business_owner IS NULL OR i.technical_owner IS NULL OR i.revocation_path IS NULL
GROUP BY f.identity, i.identity_id, i.business_owner, i.technical_owner, i.revocation_path
