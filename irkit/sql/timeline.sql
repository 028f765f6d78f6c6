-- What did the suspect do, directly or through what it controlled, across every source? One row per
-- controlled event (control_events: irkit.control, computed for the window) with how it is the
-- suspect's (via) and the event that handed it that control. Binds: $owner.
-- Uses: events, actors, control_events.
SELECT e.time, e.source, a.identity_id, e.actor_uid, e.session_uid, e.class_name, e.operation,
       e.status, e.tool_name, e.target_uid, e.target_system, e.credential_uid, e.src_ip, e.user_agent,
       c.via, c.proof_event_uid, e.event_uid, e.evidence_file, e.evidence_offset
FROM control_events c
JOIN events e USING (event_uid)
LEFT JOIN actors a USING (actor_uid)
WHERE c.owner = $owner
ORDER BY e.time, e.event_uid
