-- Defines the table macro control_source(relation, since_t, until_t): the rows of `relation` (events, or
-- handover_events, the derived table of the events that can hand control over) in the window
-- (overlapping it: a span that began before since_t and ends inside counts, so a sub-agent it starts is
-- followed), with the columns the control rules, attribution and triggers read, the identity each acts
-- as and whether it is a sign-in. Of the list columns only resources (what triggers judge): the
-- delegations and credentials that matter are in handover_events, and a scan that reads few lists can
-- skip the records its filter drops. control_candidates.sql and control_more.sql select from it,
-- binding the window into its arguments. Uses: the relation, actors.
CREATE OR REPLACE TEMP MACRO control_source(relation, since_t, until_t) AS TABLE
SELECT e.event_uid, e.time, coalesce(e.end_time, e.time) AS end_time, e.status, e.actor_uid, e.credential_uid,
       e.class_name, e.activity, e.src_ip, e.trace_uid, e.span_uid, e.parent_span_uid,
       e.source, e.operation, e.target_uid, e.target_system, e.target_type, e.session_uid, e.tool_name,
       e.evidence_offset, e.resources,
       a.identity_id AS acting_identity,
       coalesce(e.activity = 'authenticate' OR e.class_name = 'authentication', false) AS signs_in
FROM query_table(relation) e
LEFT JOIN actors a USING (actor_uid)
WHERE (since_t IS NULL OR coalesce(e.end_time, e.time) >= since_t) AND (until_t IS NULL OR e.time <= until_t)
  -- the lake's day partitions, pruned (a day's margin for spans that began the day before)
  AND (since_t IS NULL OR e.day >= CAST(since_t AS DATE) - 1) AND (until_t IS NULL OR e.day <= CAST(until_t AS DATE))
