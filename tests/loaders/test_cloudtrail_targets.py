"""CloudTrail targets from the data table ``irkit/loaders/cloudtrail_targets.tsv``.

``samples/cloudtrail/targets.jsonl`` holds one record per call below, written from AWS's documented
CloudTrail record shape and each API's documented request and response members (the CloudTrail
``requestParameters`` / ``responseElements`` of EC2 are the query API's ``instancesSet.items[]`` form);
the expected target and resources were written by hand from each API's documented ARN format, not from
the table. Every service of the table has at least one record here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from irkit import loaders
from tests.loaders.helpers import SAMPLES, blank_row, cred, load, one, res, rows, subset
from tests.loaders.helpers import utc as t

TARGETS_FILE = SAMPLES / "cloudtrail" / "targets.jsonl"
ACCT = "111122223333"

# (eventID, service, eventName, target_uid, target_type, other resources the record must list)
TARGETS = [
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000000', 'ec2', 'GetPasswordData', 'arn:aws:ec2:us-east-1:111122223333:instance/i-0a1b2c3d4e5f60718', 'ec2_instance', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000001', 'ec2', 'TerminateInstances', 'arn:aws:ec2:us-east-1:111122223333:instance/i-0a1b2c3d4e5f60718', 'ec2_instance', ['arn:aws:ec2:us-east-1:111122223333:instance/i-0f1e2d3c4b5a69788']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000002', 'ec2', 'RunInstances', 'arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0', 'ec2_instance', ['arn:aws:ec2:us-east-1::image/ami-0abcdef1234567890']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000003', 'ec2', 'ModifySnapshotAttribute', 'arn:aws:ec2:us-east-1::snapshot/snap-0b5e733b4a8df2a4f', 'ec2_snapshot', ['arn:aws:iam::444455556666:root']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000004', 'ec2', 'ModifyImageAttribute', 'arn:aws:ec2:us-east-1::image/ami-0abcdef1234567890', 'ec2_image', ['arn:aws:iam::444455556666:root']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000005', 'ec2', 'AuthorizeSecurityGroupIngress', 'arn:aws:ec2:us-east-1:111122223333:security-group/sg-0123abcd4567ef890', 'ec2_security_group', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000006', 'ec2', 'CreateSnapshot', 'arn:aws:ec2:us-east-1:111122223333:volume/vol-0a1b2c3d4e5f60718', 'ec2_volume', ['arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000007', 'ec2', 'CopySnapshot', 'arn:aws:ec2:us-west-2::snapshot/snap-0123456789abcdef0', 'ec2_snapshot', ['arn:aws:ec2:us-east-1::snapshot/snap-0fedcba9876543210']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000008', 'ec2', 'CreateImage', 'arn:aws:ec2:us-east-1:111122223333:instance/i-0a1b2c3d4e5f60718', 'ec2_instance', ['arn:aws:ec2:us-east-1::image/ami-0fedcba9876543210']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000009', 'ec2', 'AssociateIamInstanceProfile', 'arn:aws:ec2:us-east-1:111122223333:instance/i-0a1b2c3d4e5f60718', 'ec2_instance', ['arn:aws:iam::111122223333:instance-profile/admin']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000010', 'ec2', 'CreateTags', 'i-0a1b2c3d4e5f60718', 'ec2_resource', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000011', 'ec2-instance-connect', 'SendSSHPublicKey', 'arn:aws:ec2:us-east-1:111122223333:instance/i-0a1b2c3d4e5f60718', 'ec2_instance', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000012', 'ebs', 'GetSnapshotBlock', 'arn:aws:ec2:us-east-1::snapshot/snap-0b5e733b4a8df2a4f', 'ec2_snapshot', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000013', 'ssm', 'SendCommand', 'arn:aws:ec2:us-east-1:111122223333:instance/i-0a1b2c3d4e5f60718', 'ec2_instance', ['arn:aws:ssm:us-east-1:111122223333:managed-instance/mi-0123456789abcdef0', 'arn:aws:ssm:us-east-1:111122223333:document/AWS-RunShellScript', '9e0a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000014', 'ssm', 'StartSession', 'arn:aws:ec2:us-east-1:111122223333:instance/i-0a1b2c3d4e5f60718', 'ec2_instance', ['arn:aws:ssm:us-east-1:111122223333:session/alice-0a1b2c3d4e5f60718']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000015', 'ssm', 'GetParameter', 'arn:aws:ssm:us-east-1:111122223333:parameter/prod/db/password', 'ssm_parameter', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000016', 'ssm', 'GetParameters', 'arn:aws:ssm:us-east-1:111122223333:parameter/db-user', 'ssm_parameter', ['arn:aws:ssm:us-east-1:111122223333:parameter/prod/db/password']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000017', 'secretsmanager', 'GetSecretValue', 'prod/warehouse', 'secretsmanager_secret', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000018', 'secretsmanager', 'BatchGetSecretValue', 'prod/a', 'secretsmanager_secret', ['prod/b']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000019', 'secretsmanager', 'CreateSecret', 'arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/new-AbCdEf', 'secretsmanager_secret', ['prod/new', 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000020', 'kms', 'ScheduleKeyDeletion', 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', 'kms_key', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000021', 'kms', 'Decrypt', 'arn:aws:kms:us-east-1:111122223333:alias/prod-data', 'kms_alias', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000022', 'kms', 'CreateGrant', 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', 'kms_key', ['arn:aws:iam::111122223333:role/agent-runner']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000023', 'kms', 'CreateKey', 'arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321', 'kms_key', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000024', 'lambda', 'UpdateFunctionCode20150331v2', 'arn:aws:lambda:us-east-1:111122223333:function:payments-sync', 'lambda_function', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000025', 'lambda', 'AddPermission20150331v2', 'arn:aws:lambda:us-east-1:111122223333:function:payments-sync:live', 'lambda_function', ['444455556666']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000026', 'lambda', 'CreateFunction20150331', 'arn:aws:lambda:us-east-1:111122223333:function:exfil', 'lambda_function', ['arn:aws:iam::111122223333:role/lambda-admin']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000027', 'rds', 'ModifyDBSnapshotAttribute', 'arn:aws:rds:us-east-1:111122223333:snapshot:prod-snap', 'rds_db_snapshot', ['arn:aws:iam::444455556666:root']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000028', 'rds', 'ModifyDBInstance', 'arn:aws:rds:us-east-1:111122223333:db:prod-db', 'rds_db_instance', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000029', 'eks', 'CreateAccessEntry', 'arn:aws:eks:us-east-1:111122223333:cluster/prod', 'eks_cluster', ['arn:aws:iam::111122223333:role/agent-runner']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000030', 'eks', 'DescribeCluster', 'arn:aws:eks:us-east-1:111122223333:cluster/prod', 'eks_cluster', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000031', 'ecs', 'ExecuteCommand', 'arn:aws:ecs:us-east-1:111122223333:task/prod/0123456789abcdef0123456789abcdef', 'ecs_task', ['arn:aws:ecs:us-east-1:111122223333:cluster/prod']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000032', 'ecs', 'RunTask', 'arn:aws:ecs:us-east-1:111122223333:task/prod/abc', 'ecs_task', ['arn:aws:ecs:us-east-1:111122223333:task-definition/worker:3', 'arn:aws:ecs:us-east-1:111122223333:cluster/prod']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000033', 'cloudtrail', 'StopLogging', 'arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail', 'cloudtrail_trail', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000034', 'cloudtrail', 'DeleteTrail', 'arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail', 'cloudtrail_trail', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000035', 'cloudtrail', 'PutEventSelectors', 'arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail', 'cloudtrail_trail', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000036', 'guardduty', 'DeleteDetector', 'arn:aws:guardduty:us-east-1:111122223333:detector/12abc34d567e8fa901bc2d34e56789f0', 'guardduty_detector', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000037', 'guardduty', 'CreateIPSet', 'arn:aws:guardduty:us-east-1:111122223333:detector/12abc34d567e8fa901bc2d34e56789f0', 'guardduty_detector', ['https://s3.amazonaws.com/b/ips.txt']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000038', 'securityhub', 'BatchUpdateFindings', 'f-1', 'securityhub_finding', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000039', 'access-analyzer', 'DeleteAnalyzer', 'arn:aws:access-analyzer:us-east-1:111122223333:analyzer/org', 'access_analyzer', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000040', 'organizations', 'LeaveOrganization', None, None, []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000041', 'organizations', 'RemoveAccountFromOrganization', 'arn:aws:iam::444455556666:root', 'aws_account', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000042', 'organizations', 'DetachPolicy', 'p-FullAWSAccess', 'organizations_policy', ['ou-ab12-cdef3456']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000043', 'ram', 'CreateResourceShare', 'arn:aws:ram:us-east-1:111122223333:resource-share/1', 'ram_resource_share', ['arn:aws:ec2:us-east-1:111122223333:subnet/subnet-1', 'arn:aws:iam::444455556666:root']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000044', 'bedrock', 'InvokeModel', 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0', 'bedrock_model', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000045', 'bedrock', 'Converse', 'arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0', 'bedrock_inference_profile', ['arn:aws:bedrock:us-east-1:111122223333:guardrail/gr1a2b3c4d5e']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000046', 'bedrock', 'DeleteModelInvocationLoggingConfiguration', None, None, []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000047', 'bedrock', 'PutModelInvocationLoggingConfiguration', None, None, ['arn:aws:s3:::model-logs']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000048', 'bedrock', 'InvokeAgent', 'TSTALIASID', 'bedrock_agent_alias', ['arn:aws:bedrock:us-east-1:111122223333:agent/AGENT12345']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000049', 'bedrock', 'DeleteGuardrail', 'arn:aws:bedrock:us-east-1:111122223333:guardrail/gr1a2b3c4d5e', 'bedrock_guardrail', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000050', 'bedrock-agentcore', 'InvokeAgentRuntime', 'arn:aws:bedrock-agentcore:us-east-1:111122223333:runtime/support_agent-Ab12Cd34Ef', 'agentcore_runtime', ['sess-0123456789abcdef0123456789abcdef']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000051', 'bedrock-agentcore', 'GetWorkloadAccessToken', 'arn:aws:bedrock-agentcore:us-east-1:111122223333:workload-identity-directory/default/workload-identity/support-agent', 'agentcore_workload_identity', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000052', 'bedrock-agentcore', 'GetResourceOauth2Token', 'arn:aws:bedrock-agentcore:us-east-1:111122223333:token-vault/default/oauth2credentialprovider/github-provider', 'agentcore_credential_provider', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000053', 'bedrock-agentcore', 'CreateGateway', 'arn:aws:bedrock-agentcore:us-east-1:111122223333:gateway/tools-abc123', 'agentcore_gateway', ['arn:aws:iam::111122223333:role/gw']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000054', 'sagemaker', 'CreatePresignedNotebookInstanceUrl', 'arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/research', 'sagemaker_notebook_instance', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000055', 'sagemaker', 'InvokeEndpoint', 'arn:aws:sagemaker:us-east-1:111122223333:endpoint/fraud-model', 'sagemaker_endpoint', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000056', 'dynamodb', 'Scan', 'arn:aws:dynamodb:us-east-1:111122223333:table/customers', 'dynamodb_table', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000057', 'dynamodb', 'ExportTableToPointInTime', 'arn:aws:dynamodb:us-east-1:111122223333:table/customers', 'dynamodb_table', ['arn:aws:s3:::exfil-bucket']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000058', 'sns', 'Publish', 'arn:aws:sns:us-east-1:111122223333:alerts', 'sns_topic', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000059', 'sqs', 'PurgeQueue', 'arn:aws:sqs:us-east-1:111122223333:jobs', 'sqs_queue', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000060', 'events', 'DisableRule', 'arn:aws:events:us-east-1:111122223333:rule/guardduty-to-slack', 'events_rule', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000061', 'events', 'PutTargets', 'arn:aws:events:us-east-1:111122223333:rule/nightly', 'events_rule', ['arn:aws:lambda:us-east-1:111122223333:function:exfil']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000062', 'scheduler', 'CreateSchedule', 'arn:aws:scheduler:us-east-1:111122223333:schedule/default/nightly', 'scheduler_schedule', ['arn:aws:lambda:us-east-1:111122223333:function:exfil', 'arn:aws:iam::111122223333:role/sched']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000063', 'states', 'StartExecution', 'arn:aws:states:us-east-1:111122223333:stateMachine:etl', 'states_state_machine', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000064', 'kinesis', 'DeleteStream', 'arn:aws:kinesis:us-east-1:111122223333:stream/clicks', 'kinesis_stream', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000065', 'firehose', 'DeleteDeliveryStream', 'arn:aws:firehose:us-east-1:111122223333:deliverystream/audit', 'firehose_delivery_stream', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000066', 'logs', 'DeleteLogGroup', 'arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/payments', 'logs_log_group', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000067', 'logs', 'PutSubscriptionFilter', 'arn:aws:logs:us-east-1:111122223333:log-group:/aws/cloudtrail', 'logs_log_group', ['arn:aws:lambda:us-east-1:444455556666:function:collect']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000068', 'monitoring', 'DeleteAlarms', 'arn:aws:cloudwatch:us-east-1:111122223333:alarm:root-login', 'cloudwatch_alarm', ['arn:aws:cloudwatch:us-east-1:111122223333:alarm:trail-stopped']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000069', 'config', 'StopConfigurationRecorder', 'default', 'config_recorder', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000070', 'codebuild', 'StartBuild', 'arn:aws:codebuild:us-east-1:111122223333:project/deploy', 'codebuild_project', ['arn:aws:codebuild:us-east-1:111122223333:build/deploy:1']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000071', 'codecommit', 'GitPull', 'arn:aws:codecommit:us-east-1:111122223333:infra', 'codecommit_repository', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000072', 'codepipeline', 'StartPipelineExecution', 'arn:aws:codepipeline:us-east-1:111122223333:release', 'codepipeline_pipeline', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000073', 'cloudformation', 'CreateStack', 'arn:aws:cloudformation:us-east-1:111122223333:stack/backdoor/1', 'cloudformation_stack', ['backdoor', 'arn:aws:iam::111122223333:role/cfn']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000074', 'ecr', 'BatchGetImage', 'arn:aws:ecr:us-east-1:111122223333:repository/app', 'ecr_repository', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000075', 'iam', 'CreatePolicy', 'arn:aws:iam::111122223333:policy/escalate', 'iam_policy', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000076', 'iam', 'AddRoleToInstanceProfile', 'arn:aws:iam::111122223333:role/admin', 'iam_role', ['arn:aws:iam::111122223333:instance-profile/web']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000077', 'iam', 'CreateOpenIDConnectProvider', 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com', 'iam_oidc_provider', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000078', 'sso', 'CreateAccountAssignment', 'arn:aws:sso:::permissionSet/ssoins-1/ps-1', 'sso_permission_set', ['arn:aws:sso:::instance/ssoins-1', 'arn:aws:iam::444455556666:root', '9067-user']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000079', 'identitystore', 'CreateGroupMembership', 'g-1', 'identitystore_group', ['u-1', 'd-1']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000080', 'cognito-idp', 'AdminSetUserPassword', 'alice', 'cognito_user', ['arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_AbCdEf123']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000081', 'cognito-identity', 'GetCredentialsForIdentity', 'us-east-1:0a1b2c3d-1111-2222-3333-444455556666', 'cognito_identity', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000082', 'rolesanywhere', 'CreateTrustAnchor', 'arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/0a1b2c3d', 'rolesanywhere_trust_anchor', ['backdoor-ca']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000083', 'rolesanywhere', 'CreateProfile', 'arn:aws:rolesanywhere:us-east-1:111122223333:profile/9f8e', 'rolesanywhere_profile', ['arn:aws:iam::111122223333:role/admin']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000084', 's3', 'CopyObject', 'arn:aws:s3:::dst/a.csv', 's3_object', ['arn:aws:s3:::src/exports/a.csv']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000085', 'elasticfilesystem', 'DeleteFileSystem', 'arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/fs-0123abcd', 'efs_file_system', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000086', 'backup', 'DeleteRecoveryPoint', 'arn:aws:backup:us-east-1:111122223333:backup-vault:prod', 'backup_vault', ['arn:aws:ec2:us-east-1::snapshot/snap-0b5e733b4a8df2a4f']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000087', 'glue', 'GetTables', 'arn:aws:glue:us-east-1:111122223333:database/sales', 'glue_database', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000088', 'athena', 'StartQueryExecution', 'arn:aws:athena:us-east-1:111122223333:workgroup/primary', 'athena_workgroup', ['q-1', 'arn:aws:glue:us-east-1:111122223333:database/sales']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000089', 'redshift', 'GetClusterCredentials', 'arn:aws:redshift:us-east-1:111122223333:cluster:dw', 'redshift_cluster', ['admin']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000090', 'es', 'DeleteDomain', 'arn:aws:es:us-east-1:111122223333:domain/logs', 'opensearch_domain', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000091', 'route53', 'ChangeResourceRecordSets', 'arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ', 'route53_hosted_zone', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000092', 'cloudfront', 'DeleteDistribution', 'arn:aws:cloudfront::111122223333:distribution/E2QWRUHAPOMQZL', 'cloudfront_distribution', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000093', 'elasticloadbalancing', 'DeleteLoadBalancer', 'arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/web/1', 'elb_load_balancer', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000094', 'acm', 'ExportCertificate', 'arn:aws:acm:us-east-1:111122223333:certificate/1', 'acm_certificate', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000095', 'apigateway', 'DeleteRestApi', 'arn:aws:apigateway:us-east-1::/restapis/a1b2c3', 'apigateway_rest_api', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000096', 'ses', 'VerifyEmailIdentity', 'arn:aws:ses:us-east-1:111122223333:identity/ceo@example.net', 'ses_identity', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000097', 'autoscaling', 'UpdateAutoScalingGroup', 'web', 'autoscaling_group', ['arn:aws:ec2:us-east-1:111122223333:launch-template/lt-0123']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000098', 'qbusiness', 'ChatSync', 'arn:aws:qbusiness:us-east-1:111122223333:application/app-1', 'qbusiness_application', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000099', 'kendra', 'Query', 'arn:aws:kendra:us-east-1:111122223333:index/idx-1', 'kendra_index', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000100', 'transfer', 'CreateUser', 'arn:aws:transfer:us-east-1:111122223333:server/s-1', 'transfer_server', ['u']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000101', 'ds', 'ResetUserPassword', 'arn:aws:ds:us-east-1:111122223333:directory/d-1', 'directory_service_directory', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000102', 'account', 'PutAlternateContact', 'arn:aws:iam::444455556666:root', 'aws_account', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000103', 'lightsail', 'GetInstanceAccessDetails', 'web-1', 'lightsail_instance', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000104', 'elasticache', 'DeleteCacheCluster', 'arn:aws:elasticache:us-east-1:111122223333:cluster:sessions', 'elasticache_cluster', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000105', 'glacier', 'DeleteVault', 'arn:aws:glacier:us-east-1:111122223333:vaults/archive', 'glacier_vault', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000106', 'datasync', 'StartTaskExecution', 'arn:aws:datasync:us-east-1:111122223333:task/task-1', 'datasync_task', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000107', 'detective', 'DeleteGraph', 'arn:aws:detective:us-east-1:111122223333:graph:1', 'detective_graph', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000108', 'inspector2', 'Disable', None, None, ['arn:aws:iam::444455556666:root']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000109', 'sso-oidc', 'CreateToken', 'c-1', 'sso_oidc_client', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000110', 'redshift-data', 'ExecuteStatement', 'analytics', 'redshift_serverless_workgroup', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000111', 'apprunner', 'DeleteService', 'arn:aws:apprunner:us-east-1:111122223333:service/web/1', 'apprunner_service', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000112', 'batch', 'SubmitJob', 'q', 'batch_job_queue', ['d:1']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000113', 'storagegateway', 'DeleteGateway', 'arn:aws:storagegateway:us-east-1:111122223333:gateway/sgw-1', 'storagegateway_gateway', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000114', 'elasticbeanstalk', 'UpdateEnvironment', 'prod', 'elasticbeanstalk_environment', ['arn:aws:elasticbeanstalk:us-east-1:111122223333:application/web']),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000115', 'macie2', 'DisableMacie', None, None, []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000116', 'servicecatalog', 'ProvisionProduct', 'prod-1', 'servicecatalog_product', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000117', 'route53domains', 'TransferDomainToAnotherAwsAccount', 'example.com', 'route53_domain', []),
    ('7a9b0c1d-2e3f-4a5b-8c6d-000000000118', 'wafv2', 'DeleteWebACL', 'edge', 'wafv2_resource', []),
]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return load(tmp_path_factory.mktemp("targets"), TARGETS_FILE)


def test_every_record_loads(ingested: Any) -> None:
    _, summary = ingested
    assert (summary.read, summary.loaded, summary.quarantined) == (len(TARGETS), len(TARGETS), 0)


@pytest.mark.parametrize("entry", TARGETS, ids=[f"{s}:{n}" for _, s, n, *_ in TARGETS])
def test_target_and_resources(ingested: Any, entry: tuple) -> None:
    event_id, service, name, target_uid, target_type, others = entry
    case, _ = ingested
    got = one(case, "event_uid = $id", id=event_id)
    assert (got["operation"], got["target_uid"], got["target_type"]) == (name, target_uid, target_type)
    assert got["target_system"] == f"aws:{service}"
    listed = [r["uid"] for r in got["resources"]]
    assert [o for o in others if o not in listed] == [], listed
    assert target_uid is None or target_uid not in listed  # the target is not repeated among the others
    assert len(listed) == len(set(listed))


def test_one_whole_row(ingested: Any) -> None:
    """StartSession on an instance: the instance is the target, the session the call opened a resource."""
    case, _ = ingested
    event_id = next(e for e, _, n, *_ in TARGETS if n == "StartSession")
    user = f"arn:aws:iam::{ACCT}:user/responder-test"
    expected = blank_row() | {
        "event_uid": event_id, "time": t(2025, 3, 12, 11, 0, 14), "source": "cloudtrail", "class_name": "api_activity",
        "operation": "StartSession", "status": "success", "activity": "create",
        "actor_uid": user, "actor_type": "unknown", "actor_name": "responder-test", "account_uid": ACCT,
        "credential_uid": "AKIAIOSFODNN7EXAMPLE",
        "credentials": [cred("AKIAIOSFODNN7EXAMPLE", "access_key", "used", user)],
        "target_uid": f"arn:aws:ec2:us-east-1:{ACCT}:instance/i-0a1b2c3d4e5f60718", "target_type": "ec2_instance",
        "target_name": "i-0a1b2c3d4e5f60718", "target_system": "aws:ssm",
        "resources": [res(f"arn:aws:ssm:us-east-1:{ACCT}:session/alice-0a1b2c3d4e5f60718", "ssm_session", "aws:ssm")],
        "src_ip": "198.51.100.23", "user_agent": "aws-cli/2.15.30",
        "evidence_file": str(TARGETS_FILE), "evidence_offset": 15, "evidence_path": "$",
    }
    got = one(case, "event_uid = $id", id=event_id)
    assert subset(got, expected) == expected


# ------------------------------------------------------------------------------------------------
# The table itself


def _table() -> list[dict[str, Any]]:
    return loaders.get("cloudtrail").tables[0][1].to_pylist()


def test_table_covers_the_security_relevant_services() -> None:
    services = {r["service"] for r in _table()}
    assert len(services) >= 60, sorted(services)
    for must in ("iam", "sts", "s3", "ec2", "ssm", "secretsmanager", "kms", "lambda", "rds", "eks", "ecs", "cloudtrail",
                 "guardduty", "organizations", "bedrock", "bedrock-agentcore", "sagemaker", "dynamodb", "sns", "sqs",
                 "logs", "config", "codebuild"):
        assert must in services or must == "sts", must  # STS: AssumeRole* is the loader's own code
    sampled = {s for _, s, *_ in TARGETS}
    assert services - sampled == set(), "services of the table without a sample record"


def test_table_rows_are_well_formed() -> None:
    for r in _table():
        where = f"{r['service']} {r['event_name']} {r['path']}"
        assert r["role"] in ("target", "resource"), where
        assert re.fullmatch(r"\$\.(requestParameters|responseElements|additionalEventData)\.[A-Za-z0-9_.\-]+", r["path"]), where
        assert r["each"] is None or re.fullmatch(r"\$\.[A-Za-z0-9_.]+", r["each"]), where
        assert r["event_name"] == "*" or re.fullmatch(r"[A-Z][A-Za-z0-9]+", r["event_name"]), where
        groups = re.compile(r["pattern"] or "^(.+)$").groups
        used = [int(g) for g in re.findall(r"\\(\d)", r["arn"] or "")]
        assert all(1 <= g <= groups for g in used), where
        assert r["arn"] is None or used, f"{where}: an ARN template must use the value"
        leftover = re.sub(r"\{(partition|region|account|source_region|account_param)\}", "", r["arn"] or "")
        assert "{" not in leftover, where
        assert re.fullmatch(r"[a-z0-9_]+", r["type"]), where


def test_a_call_the_table_does_not_know_keeps_resources(tmp_path: Path) -> None:
    """Calls outside the table still take their target from resources[] (the loader's own rule)."""
    case, _ = load(tmp_path, SAMPLES / "cloudtrail" / "111122223333_CloudTrail_us-east-1_20250312T1005Z_Xk3sQ9bT2mLp7aZr.json.gz")
    assert all(r["target_uid"] is None or r["target_uid"] for r in rows(case))
