"""AWS CloudTrail, in every shape it arrives in.

Shapes (all detected by content): the S3 delivery file ``{"Records": [...]}`` (gzip'd or not, Insights
files included), one event per line, the ``aws cloudtrail lookup-events`` output (PascalCase envelope
whose ``CloudTrailEvent`` is the event as a JSON string; the envelope is kept as ``raw``), events
re-shipped by log shippers with ``@timestamp`` instead of ``eventTime``, and EventBridge events
(``detail-type`` "AWS API Call via CloudTrail" / "AWS Console Sign In via CloudTrail" / ..., the
CloudTrail event in ``detail``; the envelope is kept as ``raw``, ``eventID`` dedups it against the same
event delivered to S3).

Mapping (see docs/normalization.md):

=================  ==========================================================================
event_uid          ``eventID`` (lookup-events: the inner event's, so both shapes dedup); else
                   SHA-256 of the raw record
actor_uid          AssumedRole/Root/FederatedUser/Role: ``arn``; IAMUser: ``arn``, rebuilt from
                   account and ``userName`` where sign-in records leave it out; AWSService:
                   ``invokedBy``; WebIdentityUser/SAMLUser: ``userName``; IdentityCenterUser:
                   ``onBehalfOf.userId``; Unknown: ``userName``; AWSAccount: ``principalId``, else
                   ``accountId`` (``anonymous``: none); no type: ``invokedBy`` (type service), a userIdentity naming only
                   the account (unauthenticated: Cognito hosted UI) none; Insight events: none.
                   ``HIDDEN_DUE_TO_SECURITY_REASONS`` is no name.
actor_type         AWSService → service; Root, SAMLUser, IdentityCenterUser and AWSReservedSSO_*
                   role sessions → human; service-linked role sessions → service; else unknown
delegator_uid      ``sessionContext.sessionIssuer.arn`` (empty issuer: none), web identity provider;
                   SAMLUser: the SAML provider (``requestParameters.principalArn``)
session_uid        ``accessKeyId`` when temporary (``ASIA…``)
credential_uid     ``accessKeyId`` (temporary or long-term), else the bearer ``credentialId``
target             S3 bucket/key from ``requestParameters``; IAM user/role names as ARNs; the role of
                   AssumeRole*; else the targets table ``cloudtrail_targets.tsv`` (per service and
                   eventName: request / response paths, ARNs built where documented; 76 services); else
                   the first ``resources[].ARN``, else the first lookup-events ``Resources[].ResourceName``.
                   AgentCore Gateway ``InvokeGateway`` tools/call: the MCP tool (class tool_call)
src_ip             ``sourceIPAddress`` when it is an address; a service name there (``AWS Internal``,
                   ``<service>.amazonaws.com``), else ``invokedBy``, is ``src_service``
resources          ``resources[]`` (well-known types renamed: s3_object, iam_role, ...), names the
                   lookup-events envelope adds, created access keys and issued temporary keys
                   (``credential``), the assumed-role session ARN, IAM policies and groups named by
                   the request, and ``sourceIdentity`` (type ``source_identity``)
status             ``errorCode`` → failure with ``errorCode: errorMessage``; sign-in events whose
                   ``responseElements`` say ``Failure`` → failure; Insight events → unknown
activity           sign-in, ``AssumeRole*``, ``AssumeRoot``, ``GetSessionToken``, ``GetFederationToken``,
                   SSO ``GetRoleCredentials`` / ``CreateToken`` → authenticate; policies attached or put
                   (user, role, group, bucket, key, resource policies), ``AddUserToGroup``,
                   ``CreatePolicyVersion``, ``SetDefaultPolicyVersion``, ``UpdateAssumeRolePolicy``,
                   KMS ``CreateGrant``, ``AddPermission*``, object/bucket ACLs, Identity Center account
                   assignments and permission-set policies, EKS access entries → grant; their
                   opposites (``Detach*``, ``Delete*Policy``, ``RemoveUserFromGroup``, ``RevokeGrant``,
                   ``RetireGrant``, ``RemovePermission*``, ...) → ungrant; then the verb of
                   ``eventName`` (Invoke/Converse/Execute → invoke, List/Search → list, Get/Describe/
                   Head/... → read, Create/Put/Run/Start/... → create, Update/Modify/Set/Stop/... →
                   update, Delete/Remove/Terminate/... → delete); else ``readOnly`` → read; Insight
                   events → other
delegations        ``AssumeRole``/``AssumeRoot`` → ``assume_role``, ``AssumeRoleWithWebIdentity``/
                   ``AssumeRoleWithSAML`` → ``federate`` (from the federated subject, the actor),
                   ``GetFederationToken`` → ``impersonate`` (the federated user acts with the calling
                   user's own permissions): scope grant, from the actor to the session principal
                   (``assumedRoleUser.arn``; AssumeRoot: ``arn:<partition>:iam::<targetPrincipal>:root``;
                   ``federatedUser.arn``), credential = ``credentials.accessKeyId``, expires =
                   ``credentials.expiration`` (ISO, or the Java text "Oct 2, 2019 11:12:29 PM" /
                   "Mar 12, 2025, 10:17:40 AM", UTC). ``session_of`` (standing) role → new session,
                   and role (``sessionIssuer.arn``) → actor on every AssumedRole call.
                   ``sourceIdentity``: AWS documents it as set once by whoever assumes the role,
                   carried unchanged on every call of the session and down the role chain, to tell
                   who acted with the role. It is the caller's claim, not an authenticated principal,
                   so it yields no grant: ``on_behalf_of`` standing sourceIdentity → new session on
                   AssumeRole*, and ``on_behalf_of`` event sourceIdentity → actor on each call of a
                   session that carries it. Failed calls state no hop.
credentials        ``used``: ``userIdentity.accessKeyId`` (AKIA… ``access_key``, ASIA…
                   ``session_token``), else the Identity Center bearer ``credentialId``
                   (``oauth_token``), principal = the actor. ``issued``: ``credentials.accessKeyId``
                   (``session_token``, principal = the session principal; GetSessionToken: the caller,
                   expires as above). Successful calls only: ``CreateAccessKey`` → created
                   (``accessKey.accessKeyId``, principal = the user the response/request names, else
                   the caller); ``UpdateAccessKey`` Inactive → revoked; Active (a reactivation)
                   → no entry: ``created`` tells analyses the caller now holds the credential (it
                   received the secret), which a reactivation does not give, and the schema has no
                   "reactivated" (a revoked key used again still shows as used after its
                   revocation, beside this record); ``DeleteAccessKey`` → deleted. The same rule
                   (Delete* deleted, Deactivate* / Inactive revoked, Active nothing, else created:
                   the caller chose or received the new secret) for login profiles
                   (``<user ARN>#login_profile``, ``password``: Create/Update/ChangePassword
                   created), SSH public keys (``sSHPublicKeyId`` APKA…), service-specific
                   credentials (``password``, name = service; Reset created), MFA devices (serial
                   number / ARN; CreateVirtual/Enable created) and EC2 key pairs
                   (``arn:<partition>:ec2:<region>:<account>:key-pair/<keyName>``, ``ssh_key``).
                   Canonical uid: the access key id exactly as AWS writes it, one spelling when
                   created, used, deactivated and deleted.
=================  ==========================================================================
"""

from __future__ import annotations

import re
from collections.abc import Sequence

NAME = "cloudtrail"
VERSION = "1.4"
TABLES = {"cloudtrail_targets": "cloudtrail_targets.tsv"}
DESCRIPTION = "AWS CloudTrail: S3 delivery files, JSON lines, lookup-events output, re-shipped events"


#: A CloudTrail eventSource is always ``<service>.amazonaws.com``; look-alikes (S3 event notifications,
#: CodeCommit triggers, Lambda event-source records) say ``aws:<service>``.
EVENT_SOURCE = re.compile(r"[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?")


def sniff(records: Sequence[object]) -> bool:
    for record in records:
        if not isinstance(record, dict):
            continue
        if isinstance(record.get("CloudTrailEvent"), str):
            return True
        if str(record.get("detail-type", "")).endswith(" via CloudTrail") and isinstance(record.get("detail"), dict):
            return True
        if "eventVersion" in record and isinstance(record.get("insightDetails"), dict):
            return True
        source = record.get("eventSource")
        if isinstance(source, str) and EVENT_SOURCE.fullmatch(source) and (
            "eventVersion" in record or "eventName" in record or "awsRegion" in record
        ):
            return True
    return False
