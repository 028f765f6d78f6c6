-- The rows to write to the lake, in schema order, with their provenance. Uses: normalized, kept, batch_files.
SELECT n.event_uid, n.time, n.end_time, n.source, n.class_name, n.operation, n.activity, n.status, n.status_detail,
       n.actor_uid, n.actor_type, n.actor_name, n.account_uid, n.session_uid, n.credential_uid,
       n.delegator_uid, n.delegations, n.credentials, n.target_uid, n.target_type, n.target_name, n.target_system, n.resources,
       n.src_ip, n.src_service, n.user_agent, n.trace_uid, n.span_uid, n.parent_span_uid, n.tool_name,
       n.raw, f.evidence_file, f.evidence_sha256, n.evidence_offset, n.evidence_path,
       CAST(n.time AS DATE) AS day
FROM normalized n
SEMI JOIN kept k ON n.rowid = k.rid
JOIN batch_files f USING (file_id)
