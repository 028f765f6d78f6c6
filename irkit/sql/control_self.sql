-- Which candidate events act as an owner's own identity? One row per (owner, event), via 'self': the
-- best proof there is, final from the first round on (control_step.sql adds the others; an event
-- an owner controls as itself is never listed again for that owner).
-- Binds nothing. Uses: control_candidates, control_owners(owner).
SELECT o.owner, e.event_uid, 'self' AS via, CAST(NULL AS VARCHAR) AS proof_event_uid, CAST([] AS VARCHAR[]) AS path
FROM control_candidates e JOIN control_owners o ON o.owner = e.acting_identity
