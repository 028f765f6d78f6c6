-- Who used each of $credentials, as sessions of which principals, and since when? For deciding whether
-- revoking a principal or a role also revoked the credential. Binds: $credentials. Uses: events, actors.
SELECT e.credential_uid, list(DISTINCT e.actor_uid) AS actors,
       list(DISTINCT a.session_of) FILTER (WHERE a.session_of IS NOT NULL) AS roles,
       min(e.time) AS first_seen
FROM events e LEFT JOIN actors a USING (actor_uid)
WHERE list_contains($credentials, e.credential_uid)
GROUP BY e.credential_uid
