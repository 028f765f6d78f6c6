-- Which long-lived credentials were created, by whom, between $since and $until? Access keys, deploy
-- keys, client secrets, service-account keys: a resource of type credential in a successful event that
-- is not a token endpoint handing a short-lived token to its own caller (AssumeRole*, GetSessionToken,
-- GetFederationToken, OAuth token grants, Kubernetes TokenRequest for itself).
-- Binds: $since, $until (either may be NULL). Uses: events, actors.
SELECT r.uid AS credential_uid, e.actor_uid AS creator, a.identity_id AS creator_identity,
       e.credential_uid AS creator_key, e.time, e.event_uid, e.operation, e.target_uid,
       coalesce(r.system, e.target_system) AS system
FROM (SELECT *, list_filter(resources, lambda r: r.type = 'credential' AND r.uid IS NOT NULL) AS creds FROM events
      WHERE status = 'success' AND len(list_filter(resources, lambda r: r.type = 'credential')) > 0
        AND NOT (operation LIKE 'AssumeRole%' OR operation IN ('GetSessionToken', 'GetFederationToken')
                 OR operation LIKE '%token.grant%' OR operation LIKE '%.token.refresh%')
        AND ($since IS NULL OR time >= $since) AND ($until IS NULL OR time <= $until)) AS e, unnest(e.creds) AS t(r)
LEFT JOIN actors a ON a.actor_uid = e.actor_uid
ORDER BY e.time, e.event_uid
