-- Defines the table macro control_source(since_t, until_t): the events of the window (overlapping it:
-- a span that began before since_t and ends inside counts, so a sub-agent it starts is followed),
-- with what the control rules read of them and the identity each acts as. control_candidates.sql and
-- control_more.sql select from it, binding the window into its arguments. Uses: events, actors.
CREATE OR REPLACE TEMP MACRO control_source(since_t, until_t) AS TABLE
SELECT e.event_uid, e.time, coalesce(e.end_time, e.time) AS end_time, e.status, e.actor_uid, e.credential_uid,
       e.delegations, e.credentials, e.class_name, e.activity, e.src_ip, e.trace_uid, e.span_uid, e.parent_span_uid,
       a.identity_id AS acting_identity
FROM events e
LEFT JOIN actors a USING (actor_uid)
WHERE (since_t IS NULL OR coalesce(e.end_time, e.time) >= since_t) AND (until_t IS NULL OR e.time <= until_t)
  -- the lake's day partitions, pruned (a day's margin for spans that began the day before)
  AND (since_t IS NULL OR e.day >= CAST(since_t AS DATE) - 1) AND (until_t IS NULL OR e.day <= CAST(until_t AS DATE))
