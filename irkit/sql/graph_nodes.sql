-- Who is each principal-like node of the graph? For every uid in $uids: whether it is a principal (it
-- acts in the logs, the inventory knows it, it is the identity a session acts as, a delegation hop
-- starts or ends at it, or an account credential authenticates as it (an access key, a service-account
-- key, an app's secret, certificate or federated credential, an OAuth client; a deploy key's principal
-- is its repository, a resource): without an inventory a role or an app that only its sessions or
-- credentials name is still an identity), and its canonical identity (inventory alias, else the actors
-- view's identity, else NULL).
-- Binds: $uids. Uses: actors, inventory_aliases, principal_hops, credentials_seen.
WITH principals AS (
    SELECT identity_id AS uid FROM actors
    UNION SELECT from_uid FROM principal_hops
    UNION SELECT to_uid FROM principal_hops
    UNION SELECT principal_uid FROM credentials_seen
    WHERE kind IN ('access_key', 'service_account_key', 'app_secret', 'certificate', 'federated_credential', 'oauth_client')
)
SELECT u.uid,
       a.actor_uid IS NOT NULL OR i.identity_id IS NOT NULL OR p.uid IS NOT NULL AS is_principal,
       coalesce(i.identity_id, a.identity_id) AS identity_id
FROM unnest($uids) AS u(uid)
LEFT JOIN actors a ON a.actor_uid = u.uid
LEFT JOIN inventory_aliases i ON i.alias = lower(u.uid)
LEFT JOIN (SELECT DISTINCT uid FROM principals WHERE uid IS NOT NULL) p ON p.uid = u.uid
