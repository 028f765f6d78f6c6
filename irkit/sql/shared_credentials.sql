-- Credentials used by more than one canonical identity: revoking one cuts off the others too.
-- Binds nothing. Uses: identity_edges.
SELECT dst AS credential, list(DISTINCT src_identity ORDER BY src_identity) AS identities,
       min(first_time) AS first_seen, max(last_time) AS last_seen, arg_min(event_uid, first_time) AS event_uid
FROM identity_edges
WHERE kind = 'uses_credential'
GROUP BY dst
HAVING count(DISTINCT src_identity) > 1
ORDER BY credential
