-- The rows to write to the lake, in schema order, with their provenance. Uses: kept, batch_files.
SELECT k.event_uid, k.time, k.source, k.class_name, k.operation, k.status, k.status_detail,
       k.actor_uid, k.actor_type, k.actor_name, k.account_uid, k.session_uid, k.credential_uid,
       k.delegator_uid, k.target_uid, k.target_type, k.target_name, k.target_system, k.resources,
       k.src_ip, k.user_agent, k.trace_uid, k.span_uid, k.parent_span_uid, k.tool_name,
       k.raw, f.evidence_file, f.evidence_sha256, k.evidence_offset, k.evidence_path, k.day
FROM kept k JOIN batch_files f USING (file_id)
ORDER BY k.time
