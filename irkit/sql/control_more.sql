-- The events of the window made with a credential handed over so far (control_credentials) or acting
-- as a principal a sign-in session was opened for (control_sessions), not yet candidates.
-- Binds: $since, $until. Uses: control_source (macro), control_candidates, control_credentials, control_sessions.
INSERT INTO control_candidates
SELECT * FROM control_source($since, $until)
WHERE (credential_uid IN (SELECT uid FROM control_credentials) OR actor_uid IN (SELECT uid FROM control_sessions))
  AND event_uid NOT IN (SELECT event_uid FROM control_candidates)
