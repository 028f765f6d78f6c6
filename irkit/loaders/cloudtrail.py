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
                   ``accountId``; Insight events: none. ``HIDDEN_DUE_TO_SECURITY_REASONS`` is no name.
actor_type         AWSService → service; Root, SAMLUser, IdentityCenterUser and AWSReservedSSO_*
                   role sessions → human; service-linked role sessions → service; else unknown
delegator_uid      ``sessionContext.sessionIssuer.arn`` (empty issuer: none), web identity provider;
                   SAMLUser: the SAML provider (``requestParameters.principalArn``)
session_uid        ``accessKeyId`` when temporary (``ASIA…``)
credential_uid     ``accessKeyId`` (temporary or long-term), else the bearer ``credentialId``
target             S3 bucket/key from ``requestParameters``; IAM user/role names as ARNs; the role of
                   AssumeRole*; else the first ``resources[].ARN``, else the first lookup-events
                   ``Resources[].ResourceName``
resources          ``resources[]`` (well-known types renamed: s3_object, iam_role, ...), names the
                   lookup-events envelope adds, created access keys and issued temporary keys
                   (``credential``), the assumed-role session ARN, IAM policies and groups named by
                   the request, and ``sourceIdentity`` (type ``source_identity``)
status             ``errorCode`` → failure with ``errorCode: errorMessage``; sign-in events whose
                   ``responseElements`` say ``Failure`` → failure; Insight events → unknown
=================  ==========================================================================
"""

from __future__ import annotations

from collections.abc import Sequence

NAME = "cloudtrail"
VERSION = "1.2"
DESCRIPTION = "AWS CloudTrail: S3 delivery files, JSON lines, lookup-events output, re-shipped events"


def sniff(records: Sequence[object]) -> bool:
    for record in records:
        if not isinstance(record, dict):
            continue
        if isinstance(record.get("CloudTrailEvent"), str):
            return True
        if str(record.get("detail-type", "")).endswith(" via CloudTrail") and isinstance(record.get("detail"), dict):
            return True
        if "eventVersion" in record and ("eventName" in record or "eventSource" in record):
            return True
        if "eventVersion" in record and isinstance(record.get("insightDetails"), dict):
            return True
        if "eventSource" in record and "awsRegion" in record:
            return True
    return False
