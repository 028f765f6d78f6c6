-- Which privilege changes did the analysed identities make in the window? One row per event: a created
-- long-lived credential (trigger_created), an assumed role it never assumed in the baseline (not one of
-- its own aliases), or a permission/role binding change (IAM policy attach/put, Kubernetes (cluster)role
-- bindings, GCP/Azure role assignments, Okta/Entra role or group grants, GitHub membership and app grants).
-- Binds nothing. Uses: trigger_events (materialized), trigger_created, inventory_aliases.
WITH w AS (SELECT * FROM trigger_events WHERE period = 'window' AND status = 'success'),
created AS (
    SELECT w.*, c.credential_uid AS subject, 'created credential ' || c.credential_uid || ' (' || w.operation || ')' AS what
    FROM w JOIN trigger_created c ON c.event_uid = w.event_uid
),
assumed_before AS (
    SELECT DISTINCT identity, target_uid FROM trigger_events
    WHERE period = 'baseline' AND operation LIKE 'AssumeRole%' AND status = 'success'
),
assumed AS (
    SELECT w.*, w.target_uid AS subject, 'assumed role ' || w.target_uid || ' for the first time' AS what
    FROM w
    LEFT JOIN inventory_aliases own ON own.alias = lower(w.target_uid) AND own.identity_id = w.identity
    WHERE w.source = 'cloudtrail' AND w.operation LIKE 'AssumeRole%' AND w.target_uid IS NOT NULL AND own.alias IS NULL
      AND NOT EXISTS (SELECT 1 FROM assumed_before b WHERE b.identity = w.identity AND b.target_uid = w.target_uid)
),
bindings AS (
    SELECT w.*, coalesce(w.target_uid, w.operation) AS subject, w.operation || ' on ' || coalesce(w.target_uid, '?') AS what
    FROM w
    WHERE len(list_filter([
        'Attach%Policy', 'Put%Policy', 'CreatePolicyVersion', 'SetDefaultPolicyVersion', 'AddUserToGroup',
        'UpdateAssumeRolePolicy', 'CreateRole', 'CreateUser', 'CreateLoginProfile', 'UpdateLoginProfile',
        'create rolebindings', 'create clusterrolebindings', 'update rolebindings', 'update clusterrolebindings',
        'patch rolebindings', 'patch clusterrolebindings', 'create roles', 'create clusterroles',
        'update %roles', 'patch %roles', 'create serviceaccounts/token',
        '%SetIamPolicy', '%roleAssignments/write', 'Add member to role%', 'Add app role assignment%',
        'Add service principal credentials%', 'Add owner to%',
        'group.user_membership.add', 'user.account.privilege.grant', 'app.user_membership.add',
        'application.user_membership.add', 'iam.role.%', 'system.api_token.create',
        'org.add_member', 'org.update_member', 'team.add_member', 'repo.add_member', 'team.add_repository',
        'integration_installation.create', 'oauth_authorization.create', 'personal_access_token.access_granted'
    ], lambda p: w.operation LIKE p)) > 0
)
SELECT identity, subject, time, time AS last_time, [event_uid] AS evidence, 1 AS evidence_count,
       session_uid AS session, [actor_identity] AS acted_as, via, attributed_to, [what] AS detail
FROM (SELECT * FROM created UNION ALL BY NAME SELECT * FROM assumed UNION ALL BY NAME SELECT * FROM bindings)
QUALIFY row_number() OVER (PARTITION BY event_uid ORDER BY what) = 1
