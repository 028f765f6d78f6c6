-- How far does each API source's clock run ahead of the agent telemetry? One row per source of the
-- in-scope API calls. A tool call causes its API calls while it runs, so every API call and every tool
-- call within $max_skew_s of it admit a range of offsets: those that move the API time back inside the
-- call's [start, end]. A call whose arguments name the API call (its operation or the resource's last
-- path segment), the only one within $max_skew_s to do so, is the one it must lie in (a pair a clock
-- cannot fool); an API call no argument names may lie in any call near it (a sign-in, a token the call
-- took). The offset is the one that puts the most API calls inside a call: 0 when 0 does (a clock is
-- taken to agree unless the calls say otherwise), else the middle of the range of offsets that does,
-- the nearest to 0 when several do (the middle, not the edge: the edge puts one API call exactly on a
-- call's start). Positive when the source's clock is fast. An offset fitting fewer than $min_pairs API
-- calls estimates nothing (0).
-- Binds: $max_skew_s, $min_pairs. Uses: attribution_api, attribution_calls.
-- Columns: source, offset_s, pairs (API calls named by one call), outside (named pairs whose API time
-- lies outside the call as logged), fitted (API calls the offset puts inside a call), estimated,
-- example_api_event_uid, example_call_uid (the named pair farthest outside its call).
WITH near AS (
    SELECT a.event_uid AS api_event_uid, a.source, a.time AS api_time, c.call_uid, c.time AS start_time,
        coalesce(c.end_time, c.time) AS end_time,
        coalesce((length(a.operation) >= 6 AND contains(c.args_key, lower(regexp_replace(a.operation, '[^A-Za-z0-9]', '', 'g'))))
              OR contains(c.args_key, CASE WHEN length(regexp_replace(split_part(a.target_uid, '/', -1), '[^A-Za-z0-9]', '', 'g')) >= 3
                  THEN lower(regexp_replace(split_part(a.target_uid, '/', -1), '[^A-Za-z0-9]', '', 'g')) END), false) AS named
    FROM attribution_api a JOIN attribution_calls c ON abs(epoch(a.time) - epoch(c.time)) <= $max_skew_s
),
flagged AS (
    SELECT *, count(*) FILTER (WHERE named) OVER (PARTITION BY api_event_uid) AS namers FROM near
),
named AS (  -- the pairs a clock cannot fool
    SELECT *,
        CASE WHEN api_time < start_time THEN epoch(api_time) - epoch(start_time)
             WHEN api_time > end_time THEN epoch(api_time) - epoch(end_time)
             ELSE 0.0 END AS shift_s
    FROM flagged WHERE named AND namers = 1
),
ranges AS (  -- the offsets that put an API call inside a call it may lie in
    SELECT api_event_uid, source, epoch(api_time) - epoch(end_time) AS lo, epoch(api_time) - epoch(start_time) AS hi
    FROM flagged WHERE named OR namers <> 1
),
points AS (SELECT DISTINCT source, lo AS p FROM ranges UNION SELECT DISTINCT source, hi FROM ranges),
segments AS (
    SELECT * FROM (SELECT source, p AS lo, lead(p) OVER (PARTITION BY source ORDER BY p) AS hi FROM points)
    WHERE hi IS NOT NULL
),
coverage AS (
    SELECT s.source, s.lo, s.hi, count(DISTINCT r.api_event_uid) AS fit
    FROM segments s JOIN ranges r ON r.source = s.source AND r.lo <= s.lo AND s.hi <= r.hi
    GROUP BY ALL
),
flags AS (  -- the best-fitting segments, merged where they touch
    SELECT c.*, c.fit = max(c.fit) OVER (PARTITION BY c.source) AS best,
        max(c.fit) OVER (PARTITION BY c.source) AS max_fit
    FROM coverage c
),
islands AS (
    SELECT *, sum(CASE WHEN best THEN 0 ELSE 1 END) OVER (PARTITION BY source ORDER BY lo) AS island FROM flags
),
fits AS (
    SELECT source, min(lo) AS lo, max(hi) AS hi, any_value(max_fit) AS fit
    FROM islands WHERE best GROUP BY source, island
),
chosen AS (
    SELECT source, fit,
        CASE WHEN bool_or(lo <= 0 AND 0 <= hi) THEN 0.0
             ELSE arg_min((lo + hi) / 2, least(abs(lo), abs(hi))) END AS offset_s
    FROM fits GROUP BY source, fit
),
sources AS (SELECT DISTINCT source FROM attribution_api),
pairs AS (
    SELECT source, count(*) AS pairs, count(*) FILTER (WHERE shift_s <> 0) AS outside,
        arg_max(api_event_uid, abs(shift_s)) AS example_api_event_uid, arg_max(call_uid, abs(shift_s)) AS example_call_uid
    FROM named GROUP BY source
)
SELECT s.source,
       CASE WHEN coalesce(f.fit, 0) >= $min_pairs THEN f.offset_s ELSE 0.0 END AS offset_s,
       coalesce(p.pairs, 0) AS pairs, coalesce(p.outside, 0) AS outside, coalesce(f.fit, 0) AS fitted,
       coalesce(f.fit, 0) >= $min_pairs AS estimated,
       p.example_api_event_uid, p.example_call_uid
FROM sources s LEFT JOIN chosen f USING (source) LEFT JOIN pairs p USING (source)
ORDER BY s.source
