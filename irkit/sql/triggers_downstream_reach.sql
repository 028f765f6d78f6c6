-- Which activity bursts of an analysed identity reached far more downstream than its baseline?
-- A burst is that identity's activity (its own, its role sessions', its sub-agents') cut at gaps longer
-- than $gap_s seconds, within the window or within the baseline. Its reach is the number of distinct
-- units: downstream areas (target_system plus S3 bucket / Kubernetes namespace / GitHub repository /
-- Okta authorization server or app) and identities reached (a target or named resource that is another
-- identity) or acted as (another identity acting for it: reaching its authority is a unit apart from
-- reaching its record). Model calls and MCP housekeeping reach nothing.
-- Rule, calibrated to the identity's own habits: a window burst fires when it reached at least $min_new
-- units never reached in the baseline AND at least $factor times as many new units as any baseline
-- burst brought (a baseline burst's new units: those no earlier baseline burst reached; the bursts of
-- the identity's first baseline day, where everything is new, do not count). An agent whose every session touches ten
-- areas it always touches has a novelty near 0 and still fires when it reaches new systems and
-- identities; one that explores new areas daily needs a burst well beyond its habit. Without a
-- baseline, $min_new new units fire. Evidence: the first event of each new unit.
-- Binds: $gap_s, $factor, $min_new. Uses: trigger_events (materialized), inventory_aliases, actors.
WITH acts AS (
    SELECT * FROM trigger_events
    WHERE irkit_acts(operation, target_type)
),
gaps AS (
    SELECT identity, period, event_uid, time,
           CASE WHEN epoch(time) - epoch(lag(time) OVER w) > $gap_s THEN 1 ELSE 0 END AS brk
    FROM acts WINDOW w AS (PARTITION BY identity, period ORDER BY time, event_uid)
),
bursts AS (
    SELECT identity, period, event_uid, time,
           sum(brk) OVER (PARTITION BY identity, period ORDER BY time, event_uid ROWS UNBOUNDED PRECEDING) AS burst
    FROM gaps
),
units AS (
    SELECT identity, period, event_uid, time, session_uid,
           target_system || coalesce(' ' || CASE
               WHEN target_system = 'aws:s3' THEN nullif(regexp_extract(target_uid, '^arn:aws:s3:::([^/]+)', 1), '')
               WHEN target_system LIKE 'k8s%' THEN coalesce(nullif(regexp_extract(target_uid, '^namespaces/([^/]+)', 1), ''), '(cluster)')
               WHEN target_system = 'github' THEN target_uid
               WHEN target_type IN ('AuthorizationServer', 'AppInstance') THEN target_uid
           END, '') AS unit
    FROM acts WHERE target_system IS NOT NULL
    UNION ALL
    SELECT a.identity, a.period, a.event_uid, a.time, a.session_uid, 'identity ' || coalesce(ia.identity_id, ta.identity_id)
    FROM acts a
    LEFT JOIN inventory_aliases ia ON ia.alias = lower(a.target_uid)
    LEFT JOIN actors ta ON ta.actor_uid = a.target_uid
    WHERE a.target_uid IS NOT NULL AND coalesce(ia.identity_id, ta.identity_id) IS NOT NULL
      AND coalesce(ia.identity_id, ta.identity_id) <> a.identity
    UNION ALL
    SELECT a.identity, a.period, a.event_uid, a.time, a.session_uid, 'identity ' || coalesce(ia.identity_id, ta.identity_id)
    FROM (SELECT * FROM acts WHERE len(resources) > 0) AS a, unnest(a.resources) AS t(r)
    LEFT JOIN inventory_aliases ia ON ia.alias = lower(r.uid)
    LEFT JOIN actors ta ON ta.actor_uid = r.uid
    WHERE NOT irkit_context_type(r.type) AND coalesce(ia.identity_id, ta.identity_id) IS NOT NULL
      AND coalesce(ia.identity_id, ta.identity_id) <> a.identity
    UNION ALL
    SELECT identity, period, event_uid, time, session_uid, 'acting as ' || actor_identity
    FROM acts WHERE actor_identity <> identity
),
per_unit AS (
    SELECT u.identity, u.period, b.burst, u.unit, min(u.time) AS time,
           arg_min(u.event_uid, (u.time, u.event_uid)) AS event_uid, arg_min(u.session_uid, u.time) AS session_uid
    FROM units u JOIN bursts b ON b.identity = u.identity AND b.period = u.period AND b.event_uid = u.event_uid
    GROUP BY ALL
),
baseline AS (
    SELECT identity, max(n) AS max_reach FROM (
        SELECT identity, burst, count(*) AS n FROM per_unit WHERE period = 'baseline' GROUP BY ALL
    ) GROUP BY identity
),
burst_starts AS (
    SELECT *, min(started) OVER (PARTITION BY identity, period) AS first_start FROM (
        SELECT identity, period, burst, min(time) AS started FROM per_unit GROUP BY identity, period, burst
    )
),
first_seen AS (  -- the baseline burst in which each unit was first reached
    SELECT identity, unit, min(burst) AS burst FROM per_unit WHERE period = 'baseline' GROUP BY ALL
),
novelty AS (  -- the most units a baseline burst reached for the first time, after a day of warm-up
    SELECT f.identity, max(n) AS max_new FROM (
        SELECT f.identity, f.burst, count(*) AS n
        FROM first_seen f JOIN burst_starts b USING (identity, burst)
        WHERE b.period = 'baseline' AND b.started > b.first_start + INTERVAL 1 DAY
        GROUP BY ALL
    ) f
    GROUP BY f.identity
),
known AS (SELECT DISTINCT identity, unit FROM per_unit WHERE period = 'baseline'),
scored AS (
    SELECT p.*, k.unit IS NULL AS new,
           count(*) OVER (PARTITION BY p.identity, p.burst) AS reach,
           count(*) FILTER (WHERE k.unit IS NULL) OVER (PARTITION BY p.identity, p.burst) AS new_units,
           coalesce(b.max_reach, 0) AS baseline_reach,
           coalesce(n.max_new, 0) AS baseline_new
    FROM per_unit p
    LEFT JOIN known k ON k.identity = p.identity AND k.unit = p.unit
    LEFT JOIN baseline b ON b.identity = p.identity
    LEFT JOIN novelty n ON n.identity = p.identity
    WHERE p.period = 'window'
)
SELECT identity, 'burst ' || strftime(min(time), '%Y-%m-%dT%H:%M:%SZ') AS subject,
       min(time) FILTER (WHERE new) AS time, max(time) FILTER (WHERE new) AS last_time,
       list(event_uid ORDER BY time, event_uid) FILTER (WHERE new) AS evidence,
       count(DISTINCT event_uid) FILTER (WHERE new) AS evidence_count,
       arg_min(session_uid, time) FILTER (WHERE new) AS session,
       any_value(reach) AS reach, any_value(new_units) AS new_units, any_value(baseline_reach) AS baseline_reach,
       any_value(baseline_new) AS baseline_new,
       list(unit ORDER BY time, unit) FILTER (WHERE new) AS detail
FROM scored
GROUP BY identity, burst
HAVING any_value(new_units) >= $min_new AND any_value(new_units) >= $factor * any_value(baseline_new)
