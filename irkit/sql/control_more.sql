-- The events of the window made with a credential handed over so far ($credentials, the uids of
-- control_credentials) or acting as a principal a sign-in session was opened for ($principals, of
-- control_sessions), not yet candidates. Each scan is filtered on one column by a bound list (an OR,
-- or a subquery, would read every column of every record), and only what they find is compared with
-- the candidates.
-- Binds: $since, $until, $credentials, $principals (VARCHAR[]). Uses: control_source (macro), events,
-- control_candidates.
INSERT INTO control_candidates
WITH found AS MATERIALIZED (
    SELECT * FROM control_source('events', $since, $until) WHERE credential_uid IN (SELECT unnest($credentials))
    UNION ALL
    SELECT * FROM control_source('events', $since, $until)
    WHERE actor_uid IN (SELECT unnest($principals))
      AND (credential_uid IS NULL OR credential_uid NOT IN (SELECT unnest($credentials)))
)
SELECT * FROM found WHERE event_uid NOT IN (SELECT event_uid FROM control_candidates)
