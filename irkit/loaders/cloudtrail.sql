-- CloudTrail records -> normalized events.
-- Input: records(file_id, evidence_offset, evidence_path, raw). Binds nothing.
-- Each record is parsed once against a fixed struct (never inferred: the same key is a string in one
-- event and an object in another); only lookup-events envelopes have their CloudTrailEvent string
-- parsed a second time. (The envelope's own EventId/EventTime repeat the inner event's, and cannot
-- share a struct with eventID/eventTime: DuckDB struct keys are case-insensitive.)

CREATE OR REPLACE TEMP MACRO cloudtrail_parse(txt) AS TRY(json_transform(txt, '{
    "eventVersion": "VARCHAR", "eventTime": "VARCHAR", "@timestamp": "VARCHAR",
    "eventSource": "VARCHAR", "eventName": "VARCHAR", "awsRegion": "VARCHAR",
    "sourceIPAddress": "VARCHAR", "userAgent": "VARCHAR", "errorCode": "VARCHAR",
    "errorMessage": "VARCHAR", "eventID": "VARCHAR", "eventType": "VARCHAR",
    "eventCategory": "VARCHAR", "recipientAccountId": "VARCHAR",
    "userIdentity": {"type": "VARCHAR", "principalId": "VARCHAR", "arn": "VARCHAR",
        "accountId": "VARCHAR", "accessKeyId": "VARCHAR", "userName": "VARCHAR",
        "invokedBy": "VARCHAR", "identityProvider": "VARCHAR",
        "onBehalfOf": {"userId": "VARCHAR"},
        "sessionContext": {"sessionIssuer": {"arn": "VARCHAR", "userName": "VARCHAR"},
            "webIdFederationData": {"federatedProvider": "VARCHAR"}}},
    "requestParameters": {"bucketName": "VARCHAR", "key": "VARCHAR", "userName": "VARCHAR",
        "roleName": "VARCHAR", "roleArn": "VARCHAR", "principalArn": "VARCHAR"},
    "responseElements": {"accessKey": {"accessKeyId": "VARCHAR"},
        "credentials": {"accessKeyId": "VARCHAR"},
        "assumedRoleUser": {"arn": "VARCHAR"}},
    "resources": [{"ARN": "VARCHAR", "type": "VARCHAR"}],
    "insightDetails": {"state": "VARCHAR", "eventSource": "VARCHAR", "eventName": "VARCHAR",
        "insightType": "VARCHAR"},
    "CloudTrailEvent": "VARCHAR"
}'));

WITH outer_parsed AS (
    SELECT r.*, cloudtrail_parse(r.raw) AS o FROM records r
),
parsed AS (
    SELECT file_id, evidence_offset, evidence_path, raw, o,
        CASE WHEN o.CloudTrailEvent IS NOT NULL THEN cloudtrail_parse(o.CloudTrailEvent) ELSE o END AS e
    FROM outer_parsed
),
fields AS (
    SELECT *,
        e.userIdentity AS ui,
        e.requestParameters AS rp,
        irkit_nz(split_part(coalesce(e.eventSource, e.insightDetails.eventSource), '.', 1)) AS service,
        coalesce(irkit_ts(e.eventTime), irkit_ts(e."@timestamp")) AS ts,
        coalesce(irkit_nz(e.recipientAccountId), irkit_nz(e.userIdentity.accountId)) AS account
    FROM parsed
),
targets AS (
    SELECT *,
        CASE
            WHEN rp.bucketName IS NOT NULL AND rp.key IS NOT NULL
                THEN struct_pack(uid := 'arn:aws:s3:::' || rp.bucketName || '/' || rp.key, type := 's3_object', name := rp.key)
            WHEN rp.bucketName IS NOT NULL
                THEN struct_pack(uid := 'arn:aws:s3:::' || rp.bucketName, type := 's3_bucket', name := rp.bucketName)
            WHEN e.eventName LIKE 'AssumeRole%' AND rp.roleArn IS NOT NULL
                THEN struct_pack(uid := rp.roleArn, type := 'iam_role', name := split_part(rp.roleArn, '/', -1))
            WHEN service = 'iam' AND rp.userName IS NOT NULL
                THEN struct_pack(uid := 'arn:aws:iam::' || coalesce(account, '') || ':user/' || rp.userName, type := 'iam_user', name := rp.userName)
            WHEN service = 'iam' AND rp.roleName IS NOT NULL
                THEN struct_pack(uid := 'arn:aws:iam::' || coalesce(account, '') || ':role/' || rp.roleName, type := 'iam_role', name := rp.roleName)
            WHEN len(e.resources) > 0
                THEN struct_pack(uid := e.resources[1].ARN, type := e.resources[1].type, name := split_part(e.resources[1].ARN, '/', -1))
        END AS t
    FROM fields
)
SELECT
    file_id, evidence_offset, evidence_path, raw,
    'cloudtrail' AS source,
    coalesce(irkit_nz(e.eventID), sha256(raw)) AS event_uid,
    ts AS time,
    CASE
        WHEN e.eventCategory = 'Insight' THEN 'insight'
        WHEN e.eventName IN ('ConsoleLogin', 'GetSessionToken', 'GetFederationToken', 'CheckMfa')
             OR e.eventName LIKE 'AssumeRole%' THEN 'authentication'
        WHEN e.eventCategory = 'Data' THEN 'data_access'
        WHEN service IN ('iam', 'sso', 'identitystore', 'organizations')
             AND regexp_matches(e.eventName, '^(Create|Delete|Update|Attach|Detach|Put|Add|Remove|Enable|Disable|Deactivate|Tag|Untag)') THEN 'account_change'
        ELSE 'api_activity'
    END AS class_name,
    coalesce(e.eventName, e.insightDetails.eventName) AS operation,
    CASE WHEN e.eventCategory = 'Insight' THEN 'unknown'
         WHEN irkit_nz(e.errorCode) IS NOT NULL THEN 'failure' ELSE 'success' END AS status,
    CASE WHEN irkit_nz(e.errorCode) IS NOT NULL THEN e.errorCode || coalesce(': ' || e.errorMessage, '')
         WHEN e.eventCategory = 'Insight' THEN concat_ws(' ', e.insightDetails.insightType, e.insightDetails.state)
         ELSE e.errorMessage END AS status_detail,
    CASE ui.type
        WHEN 'AWSService' THEN coalesce(irkit_nz(ui.invokedBy), irkit_nz(ui.principalId))
        WHEN 'WebIdentityUser' THEN coalesce(irkit_nz(ui.userName), irkit_nz(ui.principalId))
        WHEN 'SAMLUser' THEN coalesce(irkit_nz(ui.userName), irkit_nz(ui.principalId))
        WHEN 'IdentityCenterUser' THEN coalesce(irkit_nz(ui.onBehalfOf.userId), irkit_nz(ui.userName), irkit_nz(ui.principalId))
        WHEN 'AWSAccount' THEN coalesce(irkit_nz(ui.principalId), irkit_nz(ui.accountId))
        ELSE coalesce(irkit_nz(ui.arn), irkit_nz(ui.principalId), irkit_nz(ui.userName), irkit_nz(ui.invokedBy), irkit_nz(ui.accountId))
    END AS actor_uid,
    CASE
        WHEN ui.type = 'AWSService' THEN 'service'
        WHEN ui.type IN ('Root', 'SAMLUser', 'IdentityCenterUser') THEN 'human'
        WHEN ui.type IS NULL THEN NULL
        ELSE 'unknown'
    END AS actor_type,
    coalesce(irkit_nz(ui.userName), irkit_nz(ui.sessionContext.sessionIssuer.userName),
             irkit_nz(split_part(ui.arn, '/', -1)), irkit_nz(ui.invokedBy)) AS actor_name,
    account AS account_uid,
    CASE WHEN ui.accessKeyId LIKE 'ASIA%' THEN ui.accessKeyId END AS session_uid,
    irkit_nz(ui.accessKeyId) AS credential_uid,
    coalesce(irkit_nz(ui.sessionContext.sessionIssuer.arn),
             irkit_nz(ui.sessionContext.webIdFederationData.federatedProvider),
             irkit_nz(ui.identityProvider)) AS delegator_uid,
    t.uid AS target_uid,
    t.type AS target_type,
    t.name AS target_name,
    CASE WHEN service IS NOT NULL THEN 'aws:' || service END AS target_system,
    list_concat(
        [struct_pack(uid := x.ARN, type := x.type, system := 'aws:' || service)
            FOR x IN coalesce(e.resources, []) IF x.ARN IS NOT NULL],
        [struct_pack(uid := k, type := 'credential', system := 'aws:' || service)
            FOR k IN [e.responseElements.accessKey.accessKeyId, e.responseElements.credentials.accessKeyId] IF k IS NOT NULL],
        [struct_pack(uid := a, type := 'iam_role_session', system := 'aws:sts')
            FOR a IN [e.responseElements.assumedRoleUser.arn] IF a IS NOT NULL]
    ) AS resources,
    irkit_nz(e.sourceIPAddress) AS src_ip,
    e.userAgent AS user_agent,
    CAST(NULL AS VARCHAR) AS trace_uid,
    CAST(NULL AS VARCHAR) AS span_uid,
    CAST(NULL AS VARCHAR) AS parent_span_uid,
    CAST(NULL AS VARCHAR) AS tool_name,
    CASE
        WHEN o IS NULL THEN 'not valid JSON'
        WHEN o.CloudTrailEvent IS NOT NULL AND e IS NULL THEN 'CloudTrailEvent is not a valid JSON event'
        WHEN coalesce(e.eventName, e.insightDetails.eventName) IS NULL THEN 'no eventName: not a CloudTrail event'
        WHEN ts IS NULL THEN 'no readable eventTime: ' || coalesce(e.eventTime, e."@timestamp", 'absent')
    END AS quarantine_reason
FROM targets
