-- Which logged event carried out each revocation? For every revocation in revocation_forms (one row per
-- form of its target: the uid itself, a GitHub App login without "[bot]", a Kubernetes service-account
-- username as its object path), the event within $slack_s seconds of the stated time that names that
-- form as its target or a resource, nearest first; not an event of the revoked principal itself.
-- Binds: $slack_s. Uses: events, revocation_forms(target, at, action, form) (registered).
SELECT r.target, r.at, r.action,
       arg_min(e.event_uid, (abs(epoch(e.time) - epoch(r.at)), e.event_uid)) AS event_uid,
       arg_min(e.time, (abs(epoch(e.time) - epoch(r.at)), e.event_uid)) AS event_time,
       arg_min(e.operation, (abs(epoch(e.time) - epoch(r.at)), e.event_uid)) AS operation,
       arg_min(e.actor_uid, (abs(epoch(e.time) - epoch(r.at)), e.event_uid)) AS by_actor
FROM revocation_forms r
JOIN events e ON e.time BETWEEN r.at - to_seconds(CAST($slack_s AS BIGINT)) AND r.at + to_seconds(CAST($slack_s AS BIGINT))
WHERE (e.target_uid = r.form OR list_contains(list_transform(e.resources, lambda x: x.uid), r.form))
  AND e.actor_uid IS DISTINCT FROM r.target AND e.credential_uid IS DISTINCT FROM r.target
GROUP BY r.target, r.at, r.action
