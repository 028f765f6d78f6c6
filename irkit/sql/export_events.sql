-- Which normalized events go into an OCSF export? Every event, or (when $owner is not NULL) those the
-- owner controls (control_events: irkit.control), between $since and $until.
-- Binds: $owner (or NULL), $since, $until (either may be NULL), $raw (true to include the raw record text).
-- Uses: events, actors, control_events. Streams: the caller reads it in record batches, never whole.
SELECT e.event_uid, e.time, e.source, e.class_name, e.operation, e.status, e.status_detail,
       e.actor_uid, e.actor_type, e.actor_name, a.identity_id, e.account_uid, e.session_uid,
       e.credential_uid, e.delegator_uid, e.target_uid, e.target_type, e.target_name, e.target_system,
       e.resources, e.src_ip, e.src_service, e.user_agent, e.trace_uid, e.span_uid, e.parent_span_uid, e.tool_name,
       CASE WHEN $raw THEN e.raw END AS raw,
       e.evidence_file, e.evidence_sha256, e.evidence_offset, e.evidence_path
FROM events e
LEFT JOIN actors a USING (actor_uid)
WHERE ($owner IS NULL OR e.event_uid IN (SELECT event_uid FROM control_events WHERE owner = $owner))
  AND ($since IS NULL OR e.time >= $since)
  AND ($until IS NULL OR e.time <= $until)
ORDER BY e.time, e.source, e.event_uid
