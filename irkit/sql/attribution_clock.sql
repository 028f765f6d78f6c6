-- How far does each API source's clock run ahead of the agent telemetry? One row per source of the
-- in-scope API calls, estimated from the pairs a clock cannot fool: an API call and the one tool call
-- within $max_skew_s whose arguments name it (its operation or the resource's last path segment).
-- Such a call should lie inside its tool call's [start, end]; each pair says how far the API time must
-- move to get there (0 when it already does), and the source's offset is the median of those shifts:
-- positive when the source's clock is fast. Fewer than $min_pairs pairs estimate nothing (offset 0).
-- Binds: $max_skew_s, $min_pairs. Uses: attribution_api, attribution_calls.
-- Columns: source, offset_s, pairs, outside (pairs whose API time lies outside the tool call as
-- logged), estimated (enough pairs), example_api_event_uid, example_call_uid.
WITH named AS (
    SELECT a.event_uid AS api_event_uid, a.source, a.time AS api_time, c.call_uid, c.time AS start_time,
        coalesce(c.end_time, c.time) AS end_time
    FROM attribution_api a JOIN attribution_calls c
      ON abs(epoch(a.time) - epoch(c.time)) <= $max_skew_s
     AND ((length(a.operation) >= 6 AND contains(c.args_key, lower(regexp_replace(a.operation, '[^A-Za-z0-9]', '', 'g'))))
          OR contains(c.args_key, CASE WHEN length(regexp_replace(split_part(a.target_uid, '/', -1), '[^A-Za-z0-9]', '', 'g')) >= 3
                  THEN lower(regexp_replace(split_part(a.target_uid, '/', -1), '[^A-Za-z0-9]', '', 'g')) END))
    QUALIFY count(*) OVER (PARTITION BY a.event_uid) = 1
),
shifts AS (
    SELECT *,
        CASE WHEN api_time < start_time THEN epoch(api_time) - epoch(start_time)
             WHEN api_time > end_time THEN epoch(api_time) - epoch(end_time)
             ELSE 0.0 END AS shift_s
    FROM named
),
sources AS (SELECT DISTINCT source FROM attribution_api)
SELECT s.source,
       CASE WHEN count(h.api_event_uid) >= $min_pairs THEN coalesce(median(h.shift_s), 0.0) ELSE 0.0 END AS offset_s,
       count(h.api_event_uid) AS pairs,
       count(h.api_event_uid) FILTER (WHERE h.shift_s <> 0) AS outside,
       count(h.api_event_uid) >= $min_pairs AS estimated,
       arg_max(h.api_event_uid, abs(h.shift_s)) AS example_api_event_uid,
       arg_max(h.call_uid, abs(h.shift_s)) AS example_call_uid
FROM sources s LEFT JOIN shifts h USING (source)
GROUP BY s.source
ORDER BY s.source
