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
    "readOnly": "VARCHAR",
    "requestParameters": "JSON", "responseElements": "JSON",
    "resources": [{"ARN": "VARCHAR", "type": "VARCHAR"}],
    "insightDetails": {"state": "VARCHAR", "eventSource": "VARCHAR", "eventName": "VARCHAR",
        "insightType": "VARCHAR"},
    "CloudTrailEvent": "VARCHAR", "detail-type": "VARCHAR", "detail": "JSON"
}'));

-- The request and response members the loader's own rules read; the whole request and response stay JSON for
-- the targets table (cloudtrail_targets.tsv), so each record's text is parsed once.
CREATE OR REPLACE TEMP MACRO cloudtrail_request(j) AS TRY(json_transform(j, '{"bucketName": "VARCHAR", "key": "VARCHAR", "userName": "VARCHAR",
        "roleName": "VARCHAR", "roleArn": "VARCHAR", "principalArn": "VARCHAR",
        "policyArn": "VARCHAR", "groupName": "VARCHAR", "sourceIdentity": "VARCHAR",
        "accessKeyId": "VARCHAR", "status": "VARCHAR", "targetPrincipal": "VARCHAR",
        "serialNumber": "VARCHAR", "sSHPublicKeyId": "VARCHAR", "serviceSpecificCredentialId": "VARCHAR",
        "keyName": "VARCHAR"}'));

CREATE OR REPLACE TEMP MACRO cloudtrail_response(j) AS TRY(json_transform(j, '{"accessKey": {"accessKeyId": "VARCHAR", "userName": "VARCHAR"},
        "credentials": {"accessKeyId": "VARCHAR", "expiration": "VARCHAR"},
        "assumedRoleUser": {"arn": "VARCHAR"}, "federatedUser": {"arn": "VARCHAR"},
        "sourceIdentity": "VARCHAR",
        "sSHPublicKey": {"sSHPublicKeyId": "VARCHAR", "userName": "VARCHAR"},
        "serviceSpecificCredential": {"serviceSpecificCredentialId": "VARCHAR", "userName": "VARCHAR",
            "serviceName": "VARCHAR"},
        "virtualMFADevice": {"serialNumber": "VARCHAR"},
        "keyName": "VARCHAR",
        "ConsoleLogin": "VARCHAR", "CheckMfa": "VARCHAR", "SwitchRole": "VARCHAR"}'));

-- Why a record that says eventSource 'aws:<service>' is not CloudTrail, naming what it likely is.
CREATE OR REPLACE TEMP MACRO cloudtrail_lookalike(src) AS
    'not a CloudTrail event (eventSource ' || src || ', CloudTrail writes <service>.amazonaws.com): '
    || CASE src WHEN 'aws:s3' THEN 'an Amazon S3 event notification'
                WHEN 'aws:codecommit' THEN 'an AWS CodeCommit trigger event'
                WHEN 'aws:sqs' THEN 'an SQS message as Lambda receives it'
                WHEN 'aws:sns' THEN 'an SNS notification as Lambda receives it'
                WHEN 'aws:dynamodb' THEN 'a DynamoDB Streams record'
                WHEN 'aws:kinesis' THEN 'a Kinesis Data Streams record'
                WHEN 'aws:ses' THEN 'an SES receipt notification'
                ELSE 'an AWS event-source record' END;

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

-- When STS credentials expire: ISO-8601, or the Java date text CloudTrail writes in responseElements
-- ("Oct 2, 2019 11:12:29 PM", newer records "Mar 12, 2025, 10:17:40 AM"), which is UTC.
CREATE OR REPLACE TEMP MACRO cloudtrail_expiry(s) AS coalesce(
    irkit_ts(s),
    try_strptime(replace(replace(trim(s), chr(8239), ' '), ',', ''), '%b %d %Y %I:%M:%S %p') AT TIME ZONE 'UTC');


-- The kind of an access key id: AKIA long-term, ASIA temporary (STS), anything else unknown.
CREATE OR REPLACE TEMP MACRO cloudtrail_key_kind(k) AS
    CASE WHEN k LIKE 'AKIA%' THEN 'access_key' WHEN k LIKE 'ASIA%' THEN 'session_token' ELSE 'other' END;

-- The vendor-neutral kind of act (irkit.schema.ACTIVITIES) an event name says. Privilege changes first:
-- policies attached or put, group membership, trust policies, resource policies and grants of other services.
CREATE OR REPLACE TEMP MACRO cloudtrail_activity(name, service, read_only) AS CASE
    WHEN name IN ('ConsoleLogin', 'CheckMfa', 'SwitchRole', 'AssumeRoot', 'GetSessionToken', 'GetFederationToken',
                  'GetRoleCredentials') OR name LIKE 'AssumeRole%' OR service = 'signin'
         OR (service = 'sso-oidc' AND name = 'CreateToken') THEN 'authenticate'
    WHEN regexp_matches(name, '^(Attach(User|Role|Group)Policy|Put(User|Role|Group)Policy|AddUserToGroup|CreatePolicyVersion'
            || '|SetDefaultPolicyVersion|UpdateAssumeRolePolicy|AddRoleToInstanceProfile|CreateGrant|AddPermission'
            || '|AddLayerVersionPermission|PutBucketPolicy|PutBucketAcl|PutObjectAcl|PutKeyPolicy|PutResourcePolicy'
            || '|SetRepositoryPolicy|CreateAccountAssignment|AttachManagedPolicyToPermissionSet'
            || '|AttachCustomerManagedPolicyReferenceToPermissionSet|PutInlinePolicyToPermissionSet'
            || '|CreateAccessEntry|AssociateAccessPolicy)') THEN 'grant'
    WHEN regexp_matches(name, '^(Detach(User|Role|Group)Policy|Delete(User|Role|Group)Policy|RemoveUserFromGroup'
            || '|RemoveRoleFromInstanceProfile|RevokeGrant|RetireGrant|RemovePermission|RemoveLayerVersionPermission'
            || '|DeleteBucketPolicy|DeleteResourcePolicy|DeleteRepositoryPolicy|DeleteAccountAssignment'
            || '|DetachManagedPolicyFromPermissionSet|DetachCustomerManagedPolicyReferenceFromPermissionSet'
            || '|DeleteInlinePolicyFromPermissionSet|DeleteAccessEntry|DisassociateAccessPolicy)') THEN 'ungrant'
    WHEN regexp_matches(name, '^(Invoke|Converse|Execute|SendCommand)') THEN 'invoke'
    WHEN regexp_matches(name, '^(List|Search)') THEN 'list'
    WHEN regexp_matches(name, '^(Get|Describe|Head|Lookup|BatchGet|Select|Scan|Query|Download|Retrieve)') THEN 'read'
    WHEN regexp_matches(name, '^(Create|Put|Run|Start|Upload|Add|Import|Register|Copy|Allocate|Launch|Issue|Request|Publish|Send)') THEN 'create'
    WHEN regexp_matches(name, '^(Update|Modify|Set|Change|Enable|Disable|Tag|Untag|Associate|Attach|Replace|Reset|Restore'
            || '|Stop|Reboot|Rotate|Edit|Apply|Activate|Deactivate|Resync|Accept|Reject|Cancel|Authorize|Confirm|Resume'
            || '|Suspend|Move|Rename)') THEN 'update'
    WHEN regexp_matches(name, '^(Delete|Remove|Terminate|Detach|Disassociate|Deregister|Revoke|Release|Purge|Destroy|Unregister)') THEN 'delete'
    WHEN lower(read_only) = 'true' THEN 'read'
    ELSE 'other'
END;

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
            "EventTime": "VARCHAR", "Resources": [{"ResourceType": "VARCHAR", "ResourceName": "VARCHAR"}]}')) END AS env,
        -- the event's own JSON text, for the paths of the targets table
        CASE WHEN o.CloudTrailEvent IS NOT NULL THEN o.CloudTrailEvent
             WHEN o."detail-type" LIKE '% via CloudTrail' AND o.detail IS NOT NULL THEN CAST(o.detail AS VARCHAR)
             ELSE raw END AS evtext
    FROM outer_parsed
),
fields AS (
    SELECT *,
        e.userIdentity AS ui,
        cloudtrail_request(e.requestParameters) AS rp,
        cloudtrail_response(e.responseElements) AS re,
        irkit_nz(split_part(coalesce(e.eventSource, e.insightDetails.eventSource), '.', 1)) AS service,
        coalesce(irkit_ts(e.eventTime), irkit_ts(e."@timestamp"), irkit_ts(env.EventTime)) AS ts,
        coalesce(irkit_nz(e.recipientAccountId), irkit_nz(e.userIdentity.accountId)) AS account,
        CASE WHEN e.awsRegion LIKE 'cn-%' THEN 'aws-cn'
             WHEN e.awsRegion LIKE 'us-gov-%' THEN 'aws-us-gov' ELSE 'aws' END AS part,
        -- Bedrock AgentCore Gateway data events carry the MCP JSON-RPC request and response in body
        CASE WHEN e.eventSource = 'bedrock-agentcore.amazonaws.com' AND e.eventName IN ('InvokeGateway', 'InvokeMcp')
             THEN struct_pack(
                method := json_extract_string(e.requestParameters, '$.body.method'),
                tool := irkit_nz(json_extract_string(e.requestParameters, '$.body.params.name')),
                rpc_id := json_extract_string(e.requestParameters, '$.body.id'),
                args := CAST(json_extract(e.requestParameters, '$.body.params.arguments') AS VARCHAR),
                err := nullif(concat_ws(': ', json_extract_string(e.responseElements, '$.body.error.code'),
                                        json_extract_string(e.responseElements, '$.body.error.message')), ''),
                http := TRY_CAST(json_extract_string(e.responseElements, '$.statusCode') AS INTEGER),
                gateway := [x.ARN FOR x IN coalesce(e.resources, []) IF x.ARN LIKE '%:gateway/%'][1]) END AS mcp
    FROM parsed
),
-- What the call acts on, by the targets table (cloudtrail_targets.tsv): its rows for the call (exact name or the
-- service's '*'), every path read in one pass over the event's text, each value matched and built into a uid.
table_rows AS (
    SELECT f.file_id, f.evidence_offset, f.evidence_path, m.rank, m.role, m.path, m.each, m.pattern, m.arn, m.type
    FROM fields f JOIN cloudtrail_targets m ON m.service = f.service AND m.event_name = f.e.eventName
    UNION ALL
    SELECT f.file_id, f.evidence_offset, f.evidence_path, m.rank, m.role, m.path, m.each, m.pattern, m.arn, m.type
    FROM fields f JOIN cloudtrail_targets m ON m.service = f.service AND m.event_name = '*'
),
table_calls AS (
    SELECT t.file_id, t.evidence_offset, t.evidence_path,
        list(struct_pack(rank := t.rank, role := t.role, path := t.path, each := t.each, pattern := t.pattern,
                         arn := t.arn, type := t.type) ORDER BY t.rank) AS specs
    FROM table_rows t GROUP BY ALL
),
table_found AS (
    -- each path reads only the part it names: the request or the response, kept as JSON by the parse
    SELECT c.file_id, c.evidence_offset, c.evidence_path, c.specs, f.evtext, f.part, f.account,
        coalesce(f.e.awsRegion, '') AS region,
        f.e.requestParameters AS req, f.e.responseElements AS resp
    FROM table_calls c JOIN fields f USING (file_id, evidence_offset, evidence_path)
),
table_values AS (
    SELECT file_id, evidence_offset, evidence_path, spec, v, i,
        CASE WHEN v LIKE 'arn:%' OR spec.arn IS NULL THEN v
             -- without a pattern the template's \1 is the whole value: no regular expression to compile per row
             WHEN spec.pattern IS NULL THEN replace(tmpl, '\1', v)
             ELSE regexp_replace(v, spec.pattern, tmpl)
        END AS uid
    FROM (
        SELECT *, unnest(vals) AS v, generate_subscripts(vals, 1) AS i,
            replace(replace(replace(spec.arn, '{partition}', part), '{region}', region), '{account}', coalesce(account, '')) AS tmpl0,
            CASE WHEN contains(spec.arn, '{source_region}') OR contains(spec.arn, '{account_param}') THEN
                replace(replace(tmpl0, '{source_region}', coalesce(json_extract_string(req, '$.sourceRegion'), region)),
                        '{account_param}', coalesce(json_extract_string(req, '$.accountId'), account, ''))
                 ELSE tmpl0 END AS tmpl
        FROM (
            SELECT file_id, evidence_offset, evidence_path, evtext, req, part, account, region, spec,
                CASE WHEN json_type(j) = 'ARRAY' THEN [json_extract_string(x, coalesce(spec.each, '$')) FOR x IN json_extract(j, '$[*]')]
                     WHEN json_type(j) = 'OBJECT' AND spec.each IS NULL THEN NULL
                     ELSE [json_extract_string(j, coalesce(spec.each, '$'))] END AS vals
            FROM (SELECT *,
                      CASE WHEN starts_with(spec.path, '$.requestParameters.') THEN json_extract(req, '$' || substr(spec.path, 20))
                           WHEN starts_with(spec.path, '$.responseElements.') THEN json_extract(resp, '$' || substr(spec.path, 19))
                           ELSE json_extract(evtext, spec.path) END AS j
                  FROM (SELECT *, unnest(specs) AS spec FROM table_found))
            WHERE j IS NOT NULL AND json_type(j) <> 'NULL'))
    WHERE irkit_nz(v) IS NOT NULL AND (v LIKE 'arn:%' OR spec.pattern IS NULL OR regexp_matches(v, spec.pattern))
),
table_named AS (
    SELECT file_id, evidence_offset, evidence_path,
        arg_min(struct_pack(uid := uid, type := spec.type,
                            name := CASE WHEN v LIKE 'arn:%' THEN regexp_extract(v, '([^:/]+)$', 1) ELSE v END),
                [spec.rank, i]) FILTER (WHERE spec.role = 'target') AS tt,
        list(struct_pack(uid := uid, type := spec.type) ORDER BY spec.rank, i) AS named
    FROM table_values GROUP BY ALL
),
targets AS (
    SELECT f.*, tn.tt, tn.named,
        CASE
            WHEN mcp.method = 'tools/call' AND mcp.tool IS NOT NULL
                THEN struct_pack(uid := mcp.tool, type := 'mcp_tool', name := mcp.tool)
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
            WHEN tn.tt.uid IS NOT NULL THEN tn.tt
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
            -- an unauthenticated caller (AgentCore Gateway inbound JWT auth failing, accountId 'anonymous'): no one
            WHEN 'AWSAccount' THEN CASE WHEN ui.accountId = 'anonymous' AND irkit_nz(ui.principalId) IS NULL THEN NULL
                                        ELSE coalesce(irkit_nz(ui.principalId), irkit_nz(ui.accountId)) END
            WHEN 'Unknown' THEN coalesce(irkit_nz(ui.arn), cloudtrail_name(ui.userName), irkit_nz(ui.principalId), irkit_nz(ui.accountId))
            -- Sign-in records of an IAM user leave out the ARN; rebuild it so they join the user's other events.
            WHEN 'IAMUser' THEN coalesce(irkit_nz(ui.arn),
                'arn:' || part || ':iam::' || irkit_nz(ui.accountId) || ':user/' || cloudtrail_name(ui.userName),
                irkit_nz(ui.principalId), irkit_nz(ui.accountId))
            -- no type: a service acting (invokedBy alone), or an unauthenticated request that names only the
            -- account it reached (Cognito hosted UI, Login_GET): nobody signed in, so no actor
            ELSE CASE WHEN ui.type IS NULL AND irkit_nz(ui.arn) IS NULL AND irkit_nz(ui.principalId) IS NULL
                           AND cloudtrail_name(ui.userName) IS NULL THEN irkit_nz(ui.invokedBy)
                      ELSE coalesce(irkit_nz(ui.arn), irkit_nz(ui.principalId), cloudtrail_name(ui.userName),
                                    irkit_nz(ui.invokedBy), irkit_nz(ui.accountId)) END
        END AS actor
    FROM fields f LEFT JOIN table_named tn USING (file_id, evidence_offset, evidence_path)
),
listed AS (
    -- Most events name nothing beyond their resources[]: the other parts are built only for those that do
    -- (list_concat skips the NULLs of parts that do not apply).
    SELECT *,
        CASE WHEN env IS NULL AND named IS NULL AND mcp IS NULL AND re.accessKey.accessKeyId IS NULL AND re.credentials.accessKeyId IS NULL
                  AND re.assumedRoleUser.arn IS NULL AND rp.policyArn IS NULL AND rp.groupName IS NULL
                  AND ui.sessionContext.sourceIdentity IS NULL AND rp.sourceIdentity IS NULL
        THEN coalesce([struct_pack(uid := x.ARN, type := cloudtrail_rtype(x.type), system := cloudtrail_system(x.ARN, service))
                    FOR x IN e.resources IF irkit_nz(x.ARN) IS NOT NULL], [])
        ELSE list_concat(
            -- the event's own resources[]
            [struct_pack(uid := x.ARN, type := cloudtrail_rtype(x.type), system := cloudtrail_system(x.ARN, service))
                FOR x IN e.resources IF irkit_nz(x.ARN) IS NOT NULL],
            -- an AgentCore Gateway MCP call: what pairs it with its agent's tool call
            CASE WHEN mcp IS NOT NULL THEN [x FOR x IN [
                struct_pack(uid := mcp.rpc_id, type := 'jsonrpc_id', system := 'mcp:' || coalesce(split_part(mcp.gateway, '/', -1), 'bedrock-agentcore')),
                struct_pack(uid := mcp.args, type := 'tool_arguments', system := 'mcp:' || coalesce(split_part(mcp.gateway, '/', -1), 'bedrock-agentcore'))
            ] IF x.uid IS NOT NULL] END,
            -- what the targets table finds in the request and response, but the target itself
            [struct_pack(uid := x.uid, type := x.type, system := cloudtrail_system(x.uid, service))
                FOR x IN named IF x.uid IS DISTINCT FROM t.uid],
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
        env IS NOT NULL OR rp.policyArn IS NOT NULL OR named IS NOT NULL AS may_repeat
    FROM targets
),
principals AS (
    SELECT *,
        irkit_nz(e.errorCode) IS NULL AND coalesce(re.ConsoleLogin, re.CheckMfa, re.SwitchRole, '') <> 'Failure'
            AND e.insightDetails.eventName IS NULL AS ok,
        -- the IAM user a credential call is about: the one the request or response names, else the caller
        coalesce('arn:' || part || ':iam::' || coalesce(account, '') || ':user/'
                     || coalesce(irkit_nz(re.accessKey.userName), irkit_nz(re.sSHPublicKey.userName),
                                 irkit_nz(re.serviceSpecificCredential.userName), irkit_nz(rp.userName)),
                 actor) AS owner,
        -- the principal a call to STS opened a session as
        CASE WHEN e.eventName LIKE 'AssumeRole%' THEN irkit_nz(re.assumedRoleUser.arn)
             WHEN e.eventName = 'AssumeRoot' AND irkit_nz(rp.targetPrincipal) IS NOT NULL
                 THEN CASE WHEN rp.targetPrincipal LIKE 'arn:%' THEN rp.targetPrincipal
                           ELSE 'arn:' || part || ':iam::' || rp.targetPrincipal || ':root' END
             WHEN e.eventName = 'GetFederationToken' THEN irkit_nz(re.federatedUser.arn)
             WHEN e.eventName = 'GetSessionToken' THEN actor
        END AS opened,
        irkit_nz(re.credentials.accessKeyId) AS issued_key,
        cloudtrail_expiry(re.credentials.expiration) AS issued_expires,
        irkit_nz(ui.sessionContext.sourceIdentity) AS session_source,
        coalesce(irkit_nz(e.eventName), '') AS ev,
        -- what a credential call did: Delete* deleted; Deactivate* or status Inactive revoked (it may come
        -- back); status Active (a reactivation) nothing this model can say: the caller did not receive the
        -- secret, so 'created' would hand it a credential it may not hold; else created: a new credential
        -- or a new secret the caller chose or received (Create*, Upload*, Enable*, Update/ChangePassword, Reset*)
        CASE WHEN e.eventName LIKE 'Delete%' THEN 'deleted'
             WHEN e.eventName LIKE 'Deactivate%' OR rp.status = 'Inactive' THEN 'revoked'
             WHEN rp.status = 'Active' THEN NULL
             ELSE 'created' END AS change
    FROM listed
),
modeled AS (
    SELECT *,
        [h FOR h IN list_concat(
            -- STS handed the caller a session: AssumeRole* / AssumeRoot (assume_role), web identity and SAML
            -- (federate: the federated subject is the caller), GetFederationToken (impersonate: the federated
            -- user acts with the calling IAM user's own permissions, narrowed by the session policy)
            CASE WHEN ok AND opened IS NOT NULL AND ev <> 'GetSessionToken' THEN [irkit_hop(
                CASE WHEN ev IN ('AssumeRoleWithWebIdentity', 'AssumeRoleWithSAML') THEN 'federate'
                     WHEN ev = 'GetFederationToken' THEN 'impersonate' ELSE 'assume_role' END,
                actor, opened, issued_key, 'grant', issued_expires)] END,
            -- the new role session is a session of the role it assumed
            CASE WHEN ok AND ev LIKE 'AssumeRole%' AND opened IS NOT NULL AND irkit_nz(rp.roleArn) IS NOT NULL
                 THEN [irkit_hop('session_of', rp.roleArn, opened, NULL, 'standing', NULL)] END,
            -- sts:SourceIdentity names the person or workload the session acts for, for its whole life
            -- and down any role chain (set once, never changed)
            CASE WHEN ok AND opened IS NOT NULL AND irkit_nz(re.sourceIdentity) IS NOT NULL
                 THEN [irkit_hop('on_behalf_of', re.sourceIdentity, opened, NULL, 'standing', NULL)] END,
            -- every call of a role session: the session is its role's, and acts for its source identity
            CASE WHEN ui.type = 'AssumedRole' AND irkit_nz(ui.sessionContext.sessionIssuer.arn) IS NOT NULL
                 THEN [irkit_hop('session_of', ui.sessionContext.sessionIssuer.arn, actor, NULL, 'standing', NULL)] END,
            CASE WHEN session_source IS NOT NULL
                 THEN [irkit_hop('on_behalf_of', session_source, actor, NULL, 'event', NULL)] END
        ) IF h.from_uid IS NOT NULL AND h.to_uid IS NOT NULL AND h.from_uid <> h.to_uid] AS hops,
        [c FOR c IN list_concat(
            -- the key that signed the request (IAM Identity Center: its bearer token)
            CASE WHEN irkit_nz(ui.accessKeyId) IS NOT NULL
                     THEN [irkit_cred(ui.accessKeyId, cloudtrail_key_kind(ui.accessKeyId), 'used', actor, NULL, NULL)]
                 WHEN irkit_nz(ui.credentialId) IS NOT NULL
                     THEN [irkit_cred(ui.credentialId, 'oauth_token', 'used', actor, NULL, NULL)] END,
            -- temporary credentials STS (or another service) handed out
            CASE WHEN ok AND issued_key IS NOT NULL
                 THEN [irkit_cred(issued_key, 'session_token', 'issued', opened, NULL, issued_expires)] END,
            -- long-lived credentials of IAM users (access keys, login profiles, SSH public keys,
            -- service-specific credentials, MFA devices) and EC2 key pairs. Failed calls changed nothing.
            CASE WHEN NOT ok THEN NULL
                 WHEN ev IN ('CreateAccessKey', 'UpdateAccessKey', 'DeleteAccessKey') THEN [irkit_cred(
                     coalesce(irkit_nz(re.accessKey.accessKeyId), rp.accessKeyId), 'access_key', change, owner, NULL, NULL)]
                 WHEN ev IN ('CreateLoginProfile', 'UpdateLoginProfile', 'ChangePassword', 'DeleteLoginProfile')
                     THEN [irkit_cred(owner || '#login_profile', 'password', change, owner, NULL, NULL)]
                 WHEN ev IN ('UploadSSHPublicKey', 'UpdateSSHPublicKey', 'DeleteSSHPublicKey') THEN [irkit_cred(
                     coalesce(irkit_nz(re.sSHPublicKey.sSHPublicKeyId), rp.sSHPublicKeyId), 'ssh_key', change, owner, NULL, NULL)]
                 WHEN ev IN ('CreateServiceSpecificCredential', 'ResetServiceSpecificCredential',
                             'UpdateServiceSpecificCredential', 'DeleteServiceSpecificCredential') THEN [irkit_cred(
                     coalesce(irkit_nz(re.serviceSpecificCredential.serviceSpecificCredentialId), rp.serviceSpecificCredentialId),
                     'password', change, owner, irkit_nz(re.serviceSpecificCredential.serviceName), NULL)]
                 WHEN ev IN ('CreateVirtualMFADevice', 'DeleteVirtualMFADevice') THEN [irkit_cred(
                     coalesce(irkit_nz(re.virtualMFADevice.serialNumber), rp.serialNumber), 'mfa_device', change, NULL, NULL, NULL)]
                 WHEN ev IN ('EnableMFADevice', 'DeactivateMFADevice')
                     THEN [irkit_cred(rp.serialNumber, 'mfa_device', change, owner, NULL, NULL)]
                 WHEN service = 'ec2' AND ev IN ('CreateKeyPair', 'ImportKeyPair', 'DeleteKeyPair') THEN [irkit_cred(
                     'arn:' || part || ':ec2:' || coalesce(e.awsRegion, '') || ':' || coalesce(account, '') || ':key-pair/'
                         || irkit_nz(coalesce(re.keyName, rp.keyName)),
                     'ssh_key', change, NULL, irkit_nz(coalesce(re.keyName, rp.keyName)), NULL)]
            END
        ) IF c.uid IS NOT NULL AND c.action IS NOT NULL] AS creds
    FROM principals
)
SELECT
    file_id, evidence_offset, evidence_path, raw,
    'cloudtrail' AS source,
    coalesce(irkit_nz(e.eventID), irkit_nz(env.EventId), sha256(raw)) AS event_uid,
    ts AS time,
    CASE
        WHEN e.eventCategory = 'Insight' OR e.insightDetails.eventName IS NOT NULL THEN 'insight'
        WHEN mcp.method = 'tools/call' THEN 'tool_call'
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
         WHEN mcp.err IS NOT NULL OR mcp.http >= 400 THEN 'failure'
         WHEN coalesce(re.ConsoleLogin, re.CheckMfa, re.SwitchRole) = 'Failure' THEN 'failure'
         ELSE 'success' END AS status,
    CASE WHEN irkit_nz(e.errorCode) IS NOT NULL THEN e.errorCode || coalesce(': ' || irkit_nz(e.errorMessage), '')
         WHEN e.insightDetails.eventName IS NOT NULL THEN concat_ws(' ', e.insightDetails.insightType, e.insightDetails.state)
         WHEN mcp.err IS NOT NULL OR mcp.http >= 400 THEN coalesce(mcp.err, 'HTTP ' || mcp.http)
         ELSE irkit_nz(e.errorMessage) END AS status_detail,
    actor AS actor_uid,
    CASE
        WHEN ui.type = 'AWSService' THEN 'service'
        WHEN ui.type IS NULL AND actor IS NOT NULL AND actor = irkit_nz(ui.invokedBy) THEN 'service'
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
    irkit_ip(e.sourceIPAddress) AS src_ip,
    -- a service name written where the address goes ('AWS Internal', 's3.amazonaws.com'), else the service
    -- the call came through (invokedBy)
    coalesce(CASE WHEN irkit_ip(e.sourceIPAddress) IS NULL AND regexp_full_match(trim(e.sourceIPAddress), '[A-Za-z0-9][A-Za-z0-9 .-]*')
                       AND regexp_matches(e.sourceIPAddress, '[A-Za-z]')
                  THEN trim(e.sourceIPAddress) END,
             irkit_nz(ui.invokedBy)) AS src_service,
    e.userAgent AS user_agent,
    CAST(NULL AS VARCHAR) AS trace_uid,
    CAST(NULL AS VARCHAR) AS span_uid,
    CAST(NULL AS VARCHAR) AS parent_span_uid,
    CASE WHEN mcp.method = 'tools/call' THEN mcp.tool END AS tool_name,
    CASE WHEN e.eventCategory = 'Insight' OR e.insightDetails.eventName IS NOT NULL THEN 'other'
         ELSE cloudtrail_activity(ev, service, e.readOnly) END AS activity,
    coalesce(hops, []) AS delegations,
    coalesce(creds, []) AS credentials,
    CASE
        WHEN o IS NULL THEN 'not valid JSON'
        WHEN o.CloudTrailEvent IS NOT NULL AND e IS NULL THEN 'CloudTrailEvent is not a valid JSON event'
        WHEN o."detail-type" LIKE '% via CloudTrail' AND e.eventName IS NULL THEN 'EventBridge detail holds no CloudTrail event'
        WHEN e.eventSource LIKE 'aws:%' THEN cloudtrail_lookalike(e.eventSource)
        WHEN e.eventSource IS NOT NULL AND NOT regexp_full_match(e.eventSource, '[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?')
            THEN 'eventSource ' || e.eventSource || ' is not <service>.amazonaws.com: not a CloudTrail event'
        WHEN coalesce(e.eventName, e.insightDetails.eventName) IS NULL THEN 'no eventName: not a CloudTrail event'
        WHEN ts IS NULL THEN 'no readable eventTime: ' || coalesce(e.eventTime, e."@timestamp", 'absent')
    END AS quarantine_reason
FROM modeled
