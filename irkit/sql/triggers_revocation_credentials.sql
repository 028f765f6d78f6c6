-- Who used each of $credentials, through which role, and since when? For deciding whether revoking a
-- principal or a role also revoked the credential. Binds: $credentials. Uses: events.
SELECT credential_uid, list(DISTINCT actor_uid) AS actors,
       list(DISTINCT delegator_uid) FILTER (WHERE source = 'cloudtrail' AND delegator_uid IS NOT NULL) AS roles,
       min(time) AS first_seen
FROM events
WHERE list_contains($credentials, credential_uid)
GROUP BY credential_uid
