-- CloudTrail records -> normalized events.
-- Input: records(file_id, evidence_offset, evidence_path, raw). Binds nothing.
-- Each record is parsed once against a fixed struct (never inferred: the same key is a string in one
-- event and an object in another). Only envelopes are parsed again: an EventBridge event's detail, and
-- a lookup-events envelope's CloudTrailEvent string and its own EventId/EventTime/Resources, which cannot share a
-- struct with eventID/eventTime/resources (DuckDB struct field names are case-insensitive, JSON keys
-- are matched case-sensitively).

CREATE OR REPLACE TEMP MACRO cloudtrail_parse(txt) AS TRY(json_transform(txt, '{
    "eventVersion": "VARCHAR", "eventTime": "VARCHAR", "@timestamp": "VARCHAR",
    "eventSource": "VARCHAR", "eventName": "VARCHAR", "awsRegion": "VARCHAR",
    "sourceIPAddress": "VARCHAR", "userAgent": "VARCHAR", "errorCode": "VARCHAR",
    "errorMessage": "VARCHAR", "eventID": "VARCHAR", "eventType": "VARCHAR",
    "eventCategory": "VARCHAR", "managementEvent": "VARCHAR", "recipientAccountId": "VARCHAR",
    "userIdentity": {"type": "VARCHAR", "principalId": "VARCHAR", "arn": "VARCHAR",
        "accountId": "VARCHAR", "accessKeyId": "VARCHAR", "userName": "VARCHAR",
        "invokedBy": "VARCHAR", "identityProvider": "VARCHAR", "credentialId": "VARCHAR",
        "onBehalfOf": {"userId": "VARCHAR"},
        "sessionContext": {"sessionIssuer": {"arn": "VARCHAR", "userName": "VARCHAR"},
            "webIdFederationData": {"federatedProvider": "VARCHAR"},
            "sourceIdentity": "VARCHAR"}},
    "requestParameters": {"bucketName": "VARCHAR", "key": "VARCHAR", "userName": "VARCHAR",
        "roleName": "VARCHAR", "roleArn": "VARCHAR", "principalArn": "VARCHAR",
        "policyArn": "VARCHAR", "groupName": "VARCHAR", "sourceIdentity": "VARCHAR"},
    "responseElements": {"accessKey": {"accessKeyId": "VARCHAR"},
        "credentials": {"accessKeyId": "VARCHAR"},
        "assumedRoleUser": {"arn": "VARCHAR"},
        "ConsoleLogin": "VARCHAR", "CheckMfa": "VARCHAR", "SwitchRole": "VARCHAR"},
    "resources": [{"ARN": "VARCHAR", "type": "VARCHAR"}],
    "insightDetails": {"state": "VARCHAR", "eventSource": "VARCHAR", "eventName": "VARCHAR",
        "insightType": "VARCHAR"},
    "CloudTrailEvent": "VARCHAR", "detail-type": "VARCHAR", "detail": "JSON"
}'));

-- A user name, or NULL for placeholders (CloudTrail hides mistyped sign-in names this way).
CREATE OR REPLACE TEMP MACRO cloudtrail_name(s) AS
    CASE WHEN s = 'HIDDEN_DUE_TO_SECURITY_REASONS' THEN NULL ELSE irkit_nz(s) END;

-- The resource types irkit names itself (docs/normalization.md); other CloudTrail types pass through.
-- (An access key a record merely names stays AWS::IAM::AccessKey: type 'credential' means created or issued.)
CREATE OR REPLACE TEMP MACRO cloudtrail_rtype(t) AS
    CASE t
        WHEN 'AWS::S3::Object' THEN 's3_object'
        WHEN 'AWS::S3::Bucket' THEN 's3_bucket'
        WHEN 'AWS::IAM::Role' THEN 'iam_role'
        WHEN 'AWS::IAM::User' THEN 'iam_user'
        WHEN 'AWS::IAM::Policy' THEN 'iam_policy'
        ELSE t
    END;

-- The downstream system of an ARN ('aws:' + its service), else of the event.
CREATE OR REPLACE TEMP MACRO cloudtrail_system(arn, service) AS
    CASE WHEN arn LIKE 'arn:%' AND split_part(arn, ':', 3) <> '' THEN 'aws:' || split_part(arn, ':', 3)
         WHEN service IS NOT NULL THEN 'aws:' || service END;

WITH outer_parsed AS (
    SELECT r.*, cloudtrail_parse(r.raw) AS o FROM records r
),
parsed AS (
    SELECT file_id, evidence_offset, evidence_path, raw, o,
        CASE WHEN o.CloudTrailEvent IS NOT NULL THEN cloudtrail_parse(o.CloudTrailEvent)
             -- EventBridge: {"detail-type": "AWS API Call via CloudTrail", "detail": {the event}, ...}
             WHEN o."detail-type" LIKE '% via CloudTrail' AND o.detail IS NOT NULL THEN cloudtrail_parse(CAST(o.detail AS VARCHAR))
             ELSE o END AS e,
        CASE WHEN o.CloudTrailEvent IS NOT NULL THEN TRY(json_transform(raw, '{"EventId": "VARCHAR",
            "EventTime": "VARCHAR", "Resources": [{"ResourceType": "VARCHAR", "ResourceName": "VARCHAR"}]}')) END AS env
    FROM outer_parsed
),
fields AS (
    SELECT *,
        e.userIdentity AS ui,
        e.requestParameters AS rp,
        e.responseElements AS re,
        irkit_nz(split_part(coalesce(e.eventSource, e.insightDetails.eventSource), '.', 1)) AS service,
        coalesce(irkit_ts(e.eventTime), irkit_ts(e."@timestamp"), irkit_ts(env.EventTime)) AS ts,
        coalesce(irkit_nz(e.recipientAccountId), irkit_nz(e.userIdentity.accountId)) AS account,
        CASE WHEN e.awsRegion LIKE 'cn-%' THEN 'aws-cn'
             WHEN e.awsRegion LIKE 'us-gov-%' THEN 'aws-us-gov' ELSE 'aws' END AS part
    FROM parsed
),
targets AS (
    SELECT *,
        CASE
            WHEN rp.bucketName IS NOT NULL AND rp.key IS NOT NULL
                THEN struct_pack(uid := 'arn:' || part || ':s3:::' || rp.bucketName || '/' || rp.key, type := 's3_object', name := rp.key)
            WHEN rp.bucketName IS NOT NULL
                THEN struct_pack(uid := 'arn:' || part || ':s3:::' || rp.bucketName, type := 's3_bucket', name := rp.bucketName)
            WHEN e.eventName LIKE 'AssumeRole%' AND rp.roleArn IS NOT NULL
                THEN struct_pack(uid := rp.roleArn, type := 'iam_role', name := split_part(rp.roleArn, '/', -1))
            WHEN service = 'iam' AND rp.userName IS NOT NULL
                THEN struct_pack(uid := 'arn:' || part || ':iam::' || coalesce(account, '') || ':user/' || rp.userName, type := 'iam_user', name := rp.userName)
            WHEN service = 'iam' AND rp.roleName IS NOT NULL
                THEN struct_pack(uid := 'arn:' || part || ':iam::' || coalesce(account, '') || ':role/' || rp.roleName, type := 'iam_role', name := rp.roleName)
            WHEN irkit_nz(e.resources[1].ARN) IS NOT NULL
                THEN struct_pack(uid := e.resources[1].ARN, type := cloudtrail_rtype(e.resources[1].type), name := split_part(e.resources[1].ARN, '/', -1))
            WHEN irkit_nz(env.Resources[1].ResourceName) IS NOT NULL
                THEN struct_pack(uid := env.Resources[1].ResourceName, type := cloudtrail_rtype(env.Resources[1].ResourceType),
                                 name := split_part(env.Resources[1].ResourceName, '/', -1))
        END AS t,
        CASE ui.type
            WHEN 'AWSService' THEN coalesce(irkit_nz(ui.invokedBy), irkit_nz(ui.principalId))
            WHEN 'WebIdentityUser' THEN coalesce(cloudtrail_name(ui.userName), irkit_nz(ui.principalId))
            WHEN 'SAMLUser' THEN coalesce(cloudtrail_name(ui.userName), irkit_nz(ui.principalId))
            WHEN 'IdentityCenterUser' THEN coalesce(irkit_nz(ui.onBehalfOf.userId), cloudtrail_name(ui.userName), irkit_nz(ui.principalId))
            WHEN 'AWSAccount' THEN coalesce(irkit_nz(ui.principalId), irkit_nz(ui.accountId))
            WHEN 'Unknown' THEN coalesce(irkit_nz(ui.arn), cloudtrail_name(ui.userName), irkit_nz(ui.principalId), irkit_nz(ui.accountId))
            -- Sign-in records of an IAM user leave out the ARN; rebuild it so they join the user's other events.
            WHEN 'IAMUser' THEN coalesce(irkit_nz(ui.arn),
                'arn:' || part || ':iam::' || irkit_nz(ui.accountId) || ':user/' || cloudtrail_name(ui.userName),
                irkit_nz(ui.principalId), irkit_nz(ui.accountId))
            ELSE coalesce(irkit_nz(ui.arn), irkit_nz(ui.principalId), cloudtrail_name(ui.userName),
                          irkit_nz(ui.invokedBy), irkit_nz(ui.accountId))
        END AS actor
    FROM fields
),
listed AS (
    -- Most events name nothing beyond their resources[]: the other parts are built only for those that do
    -- (list_concat skips the NULLs of parts that do not apply).
    SELECT *,
        CASE WHEN env IS NULL AND re.accessKey.accessKeyId IS NULL AND re.credentials.accessKeyId IS NULL
                  AND re.assumedRoleUser.arn IS NULL AND rp.policyArn IS NULL AND rp.groupName IS NULL
                  AND ui.sessionContext.sourceIdentity IS NULL AND rp.sourceIdentity IS NULL
        THEN coalesce([struct_pack(uid := x.ARN, type := cloudtrail_rtype(x.type), system := cloudtrail_system(x.ARN, service))
                    FOR x IN e.resources IF irkit_nz(x.ARN) IS NOT NULL], [])
        ELSE list_concat(
            -- the event's own resources[]
            [struct_pack(uid := x.ARN, type := cloudtrail_rtype(x.type), system := cloudtrail_system(x.ARN, service))
                FOR x IN e.resources IF irkit_nz(x.ARN) IS NOT NULL],
            -- credentials the event created or issued, and the role session it opened
            CASE WHEN irkit_nz(re.accessKey.accessKeyId) IS NOT NULL THEN
                [struct_pack(uid := re.accessKey.accessKeyId, type := 'credential', system := 'aws:' || service)] END,
            CASE WHEN irkit_nz(re.credentials.accessKeyId) IS NOT NULL THEN
                [struct_pack(uid := re.credentials.accessKeyId, type := 'credential', system := 'aws:' || service)] END,
            CASE WHEN irkit_nz(re.assumedRoleUser.arn) IS NOT NULL THEN
                [struct_pack(uid := re.assumedRoleUser.arn, type := 'iam_role_session', system := 'aws:sts')] END,
            -- policies and groups an IAM change names beside its target
            CASE WHEN service = 'iam' AND irkit_nz(rp.policyArn) IS NOT NULL THEN
                [struct_pack(uid := rp.policyArn, type := 'iam_policy', system := 'aws:iam')] END,
            CASE WHEN service = 'iam' AND irkit_nz(rp.groupName) IS NOT NULL THEN
                [struct_pack(uid := 'arn:' || part || ':iam::' || coalesce(account, '') || ':group/' || rp.groupName,
                             type := 'iam_group', system := 'aws:iam')] END,
            -- the person or workload behind a role session, as set by sts:SourceIdentity
            CASE WHEN irkit_nz(ui.sessionContext.sourceIdentity) IS NOT NULL THEN
                [struct_pack(uid := ui.sessionContext.sourceIdentity, type := 'source_identity', system := 'aws:sts')] END,
            CASE WHEN irkit_nz(rp.sourceIdentity) IS NOT NULL AND rp.sourceIdentity IS DISTINCT FROM ui.sessionContext.sourceIdentity THEN
                [struct_pack(uid := rp.sourceIdentity, type := 'source_identity', system := 'aws:sts')] END,
            -- the names lookup-events lists beside the event (envelopes only), unless it is the target's name
            CASE WHEN env IS NOT NULL THEN
                [struct_pack(uid := x.ResourceName, type := cloudtrail_rtype(x.ResourceType), system := cloudtrail_system(x.ResourceName, service))
                    FOR x IN coalesce(env.Resources, [])
                    IF irkit_nz(x.ResourceName) IS NOT NULL AND x.ResourceName IS DISTINCT FROM t.name] END
        ) END AS res,
        -- only envelopes and policy changes can name one resource twice
        env IS NOT NULL OR rp.policyArn IS NOT NULL AS may_repeat
    FROM targets
)
SELECT
    file_id, evidence_offset, evidence_path, raw,
    'cloudtrail' AS source,
    coalesce(irkit_nz(e.eventID), irkit_nz(env.EventId), sha256(raw)) AS event_uid,
    ts AS time,
    CASE
        WHEN e.eventCategory = 'Insight' OR e.insightDetails.eventName IS NOT NULL THEN 'insight'
        WHEN e.eventName IN ('ConsoleLogin', 'GetSessionToken', 'GetFederationToken', 'CheckMfa', 'SwitchRole', 'AssumeRoot')
             OR e.eventName LIKE 'AssumeRole%' THEN 'authentication'
        WHEN e.eventCategory = 'Data' OR e.managementEvent = 'false' THEN 'data_access'
        WHEN service IN ('iam', 'sso', 'identitystore', 'organizations')
             AND regexp_matches(e.eventName, '^(Create|Delete|Update|Attach|Detach|Put|Add|Remove|Enable|Disable|Deactivate|Tag|Untag)') THEN 'account_change'
        ELSE 'api_activity'
    END AS class_name,
    coalesce(e.eventName, e.insightDetails.eventName) AS operation,
    CASE WHEN e.eventCategory = 'Insight' OR e.insightDetails.eventName IS NOT NULL THEN 'unknown'
         WHEN irkit_nz(e.errorCode) IS NOT NULL THEN 'failure'
         WHEN coalesce(re.ConsoleLogin, re.CheckMfa, re.SwitchRole) = 'Failure' THEN 'failure'
         ELSE 'success' END AS status,
    CASE WHEN irkit_nz(e.errorCode) IS NOT NULL THEN e.errorCode || coalesce(': ' || irkit_nz(e.errorMessage), '')
         WHEN e.insightDetails.eventName IS NOT NULL THEN concat_ws(' ', e.insightDetails.insightType, e.insightDetails.state)
         ELSE irkit_nz(e.errorMessage) END AS status_detail,
    actor AS actor_uid,
    CASE
        WHEN ui.type = 'AWSService' THEN 'service'
        WHEN ui.type IN ('Root', 'SAMLUser', 'IdentityCenterUser') THEN 'human'
        -- Identity Center permission sets are roles named AWSReservedSSO_*: a person signed in.
        WHEN ui.type = 'AssumedRole' AND ui.sessionContext.sessionIssuer.userName LIKE 'AWSReservedSSO\_%' ESCAPE '\' THEN 'human'
        WHEN ui.type = 'AssumedRole' AND ui.sessionContext.sessionIssuer.arn LIKE '%:role/aws-service-role/%' THEN 'service'
        WHEN actor IS NULL THEN NULL
        ELSE 'unknown'
    END AS actor_type,
    CASE WHEN ui.type = 'Root' THEN coalesce(cloudtrail_name(ui.userName), 'root')
         ELSE coalesce(cloudtrail_name(ui.userName),
                       CASE WHEN ui.arn LIKE '%/%' THEN irkit_nz(split_part(ui.arn, '/', -1)) END,
                       irkit_nz(ui.sessionContext.sessionIssuer.userName), irkit_nz(ui.invokedBy)) END AS actor_name,
    account AS account_uid,
    CASE WHEN ui.accessKeyId LIKE 'ASIA%' THEN ui.accessKeyId END AS session_uid,
    coalesce(irkit_nz(ui.accessKeyId), irkit_nz(ui.credentialId)) AS credential_uid,
    CASE WHEN ui.type = 'SAMLUser' THEN coalesce(irkit_nz(rp.principalArn), irkit_nz(ui.identityProvider))
         ELSE coalesce(irkit_nz(ui.sessionContext.sessionIssuer.arn),
                       irkit_nz(ui.sessionContext.webIdFederationData.federatedProvider),
                       irkit_nz(ui.identityProvider)) END AS delegator_uid,
    t.uid AS target_uid,
    t.type AS target_type,
    t.name AS target_name,
    CASE WHEN service IS NOT NULL THEN 'aws:' || service END AS target_system,
    -- the first mention of each resource, in the order the record names them
    CASE WHEN may_repeat THEN [x FOR x, i IN res IF NOT list_contains([y.uid FOR y IN res[:i - 1]], x.uid)]
         ELSE res END AS resources,
    irkit_nz(e.sourceIPAddress) AS src_ip,
    e.userAgent AS user_agent,
    CAST(NULL AS VARCHAR) AS trace_uid,
    CAST(NULL AS VARCHAR) AS span_uid,
    CAST(NULL AS VARCHAR) AS parent_span_uid,
    CAST(NULL AS VARCHAR) AS tool_name,
    CASE
        WHEN o IS NULL THEN 'not valid JSON'
        WHEN o.CloudTrailEvent IS NOT NULL AND e IS NULL THEN 'CloudTrailEvent is not a valid JSON event'
        WHEN o."detail-type" LIKE '% via CloudTrail' AND e.eventName IS NULL THEN 'EventBridge detail holds no CloudTrail event'
        WHEN coalesce(e.eventName, e.insightDetails.eventName) IS NULL THEN 'no eventName: not a CloudTrail event'
        WHEN ts IS NULL THEN 'no readable eventTime: ' || coalesce(e.eventTime, e."@timestamp", 'absent')
    END AS quarantine_reason
FROM listed
