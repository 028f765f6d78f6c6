-- Rows the lake cannot hold are quarantined whatever the loader said: no time (no day partition, no
-- place on a timeline), no event id (no dedup key), or a time outside the plausible range
-- [$since, $until) (1970-01-01 .. 2100-01-01: such a value is corrupt or forged, and readers such as
-- Python's datetime cannot hold some of them), for `time`, `end_time` and the expiries of
-- delegations and credentials. Uses: normalized. Binds $since, $until (dates).
UPDATE normalized
SET quarantine_reason = CASE
    WHEN time IS NULL THEN 'the loader found no timestamp'
    WHEN event_uid IS NULL THEN 'the loader found no event id'
    WHEN NOT (time >= CAST($since AS TIMESTAMPTZ) AND time < CAST($until AS TIMESTAMPTZ))
        THEN 'time ' || CAST(time AS VARCHAR) || ' is outside the plausible range ' || $since || ' .. ' || $until
    WHEN NOT coalesce(end_time >= CAST($since AS TIMESTAMPTZ) AND end_time < CAST($until AS TIMESTAMPTZ), true)
        THEN 'end_time ' || CAST(end_time AS VARCHAR) || ' is outside the plausible range ' || $since || ' .. ' || $until
    ELSE 'an expiry is outside the plausible range ' || $since || ' .. ' || $until
END
WHERE quarantine_reason IS NULL AND (
    time IS NULL OR event_uid IS NULL
    OR NOT (time >= CAST($since AS TIMESTAMPTZ) AND time < CAST($until AS TIMESTAMPTZ))
    OR NOT coalesce(end_time >= CAST($since AS TIMESTAMPTZ) AND end_time < CAST($until AS TIMESTAMPTZ), true)
    OR len(list_filter(delegations, lambda d: d.expires IS NOT NULL
        AND NOT (d.expires >= CAST($since AS TIMESTAMPTZ) AND d.expires < CAST($until AS TIMESTAMPTZ)))) > 0
    OR len(list_filter(credentials, lambda c: c.expires IS NOT NULL
        AND NOT (c.expires >= CAST($since AS TIMESTAMPTZ) AND c.expires < CAST($until AS TIMESTAMPTZ)))) > 0
)
