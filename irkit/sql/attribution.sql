-- Which agent tool call caused each in-scope API call?
-- Binds: $window_s (seconds an API call may follow the end of its tool call), $offsets (list of
-- {source, offset_s}: how far each source's clock runs ahead of the agent telemetry; its API times are
-- moved back by it), $owners (list of {credential, agent_id}: credentials handed to one agent's tool
-- call, see attribution.py). Uses: attribution_api (the in-scope API calls), attribution_calls
-- (sql/attribution_calls.sql).
-- An API call is a candidate of every tool call whose [start, end + window] holds its corrected time
-- (a call without an end: [start, start + window]). The winner, in order: a call whose agent may hold
-- the API call's credential (its owner, or a sub-agent of its owner: a parent never holds what its
-- sub-agent was handed), a call whose arguments name the API operation (6 characters or more) or the
-- resource's last path segment (3 or more; aws_cli "sts assume-role" for AssumeRole), a call that
-- encloses it, the nearest start.
-- Every candidate is listed, so ambiguity is reported, not hidden.
WITH offsets AS (
    SELECT o.source, o.offset_s FROM (SELECT unnest($offsets) AS o)
),
owners AS (
    SELECT o.credential, o.agent_id FROM (SELECT unnest($owners) AS o)
),
lineage AS (  -- every agent with itself and each agent above it
    WITH RECURSIVE up(agent_id, ancestor_id, depth) AS (
        SELECT DISTINCT agent_id, agent_id, 0 FROM attribution_calls WHERE agent_id IS NOT NULL
        UNION ALL
        SELECT u.agent_id, p.parent_id, u.depth + 1
        FROM up u JOIN (SELECT DISTINCT agent_id, parent_id FROM attribution_calls WHERE parent_id IS NOT NULL) p
          ON p.agent_id = u.ancestor_id
        WHERE u.depth < 16 AND p.parent_id <> u.agent_id
    )
    SELECT DISTINCT agent_id, ancestor_id FROM up
),
api AS (
    SELECT a.*, coalesce(o.offset_s, 0.0) AS clock_offset_s,
        a.time - to_microseconds(CAST(round(coalesce(o.offset_s, 0.0) * 1000000) AS BIGINT)) AS corrected_time,
        w.agent_id AS credential_owner
    FROM attribution_api a
    LEFT JOIN offsets o ON o.source = a.source
    LEFT JOIN owners w ON w.credential = a.credential_uid
),
candidates AS (
    SELECT a.event_uid AS api_event_uid, c.*,
        epoch(a.corrected_time) - epoch(c.time) AS delta_s,
        a.corrected_time <= coalesce(c.end_time, c.time) AS enclosed,
        a.credential_owner IS NULL
            OR EXISTS (SELECT 1 FROM lineage l WHERE l.agent_id = c.agent_id AND l.ancestor_id = a.credential_owner)
            AS credential_ok,
        coalesce((length(a.operation) >= 6 AND contains(c.args_key, lower(regexp_replace(a.operation, '[^A-Za-z0-9]', '', 'g'))))
              OR contains(c.args_key, CASE WHEN length(regexp_replace(split_part(a.target_uid, '/', -1), '[^A-Za-z0-9]', '', 'g')) >= 3
                  THEN lower(regexp_replace(split_part(a.target_uid, '/', -1), '[^A-Za-z0-9]', '', 'g')) END), false)
            AS named_in_arguments
    FROM api a JOIN attribution_calls c
      ON c.time <= a.corrected_time
     AND a.corrected_time <= coalesce(c.end_time, c.time) + to_microseconds(CAST($window_s * 1000000 AS BIGINT))
),
ranked AS (
    SELECT *,
        row_number() OVER (PARTITION BY api_event_uid
                           ORDER BY credential_ok DESC, named_in_arguments DESC, enclosed DESC, delta_s, call_uid) AS rank,
        count(*) OVER (PARTITION BY api_event_uid) AS n_candidates,
        count(*) FILTER (WHERE credential_ok) OVER (PARTITION BY api_event_uid) AS n_credential_ok,
        count(*) FILTER (WHERE named_in_arguments) OVER (PARTITION BY api_event_uid) AS n_named,
        count(*) FILTER (WHERE enclosed) OVER (PARTITION BY api_event_uid) AS n_enclosed,
        list(call_uid) OVER (PARTITION BY api_event_uid ORDER BY delta_s, call_uid
                             ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS candidate_uids
    FROM candidates
)
SELECT a.event_uid AS api_event_uid, a.time AS api_time, a.source AS api_source, a.operation,
       a.target_uid AS resource, a.target_system AS system, a.credential_uid, a.actor_uid,
       a.identity_id AS acting_identity,
       r.call_uid AS tool_call_uid, r.mcp_uid AS mcp_call_uid, r.tool_name, r.time AS tool_call_time,
       r.end_time AS tool_call_end, r.delta_s, r.session_uid AS tool_session_uid,
       r.agent_id AS agent, r.parent_id AS parent_agent,
       CASE WHEN r.parent_id IS NOT NULL THEN r.spawn_event_uid END AS spawn_event_uid,
       r.human, r.human_event_uid,
       coalesce(r.n_candidates, 0) AS candidates,
       coalesce(r.n_candidates, 0) > 1 AS ambiguous,
       CASE WHEN r.n_candidates > 1 THEN
           CASE WHEN r.n_credential_ok < r.n_candidates THEN 'credential'
                WHEN r.named_in_arguments AND r.n_named < r.n_candidates THEN 'arguments'
                WHEN r.enclosed AND r.n_enclosed < r.n_candidates THEN 'enclosure'
                ELSE 'nearest' END END AS resolved_by,
       coalesce(r.candidate_uids, []) AS candidate_uids,
       a.clock_offset_s, a.corrected_time AS api_time_corrected, r.enclosed, r.paired_by,
       a.credential_owner, a.issued_credentials
FROM api a
LEFT JOIN ranked r ON r.api_event_uid = a.event_uid AND r.rank = 1
ORDER BY a.time, a.event_uid
