-- Which actor uids act as the owners themselves, or as an agent started under another agent's span
-- (whose events the sub-agent rule may hand to an owner)? control.py binds the answer as a list into
-- control_candidates.sql: a bound list filters the scan itself, a subquery would not.
-- Binds nothing. Uses: control_owners(owner), actors, events.
SELECT actor_uid FROM actors WHERE identity_id IN (SELECT owner FROM control_owners) AND actor_uid IS NOT NULL
UNION
SELECT DISTINCT actor_uid FROM events
WHERE class_name = 'agent_invocation' AND parent_span_uid IS NOT NULL AND actor_uid IS NOT NULL
