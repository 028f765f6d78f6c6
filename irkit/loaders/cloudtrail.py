"""AWS CloudTrail, in every shape it arrives in.

Shapes (all detected by content): the S3 delivery file ``{"Records": [...]}`` (gzip'd or not), one
event per line, the ``aws cloudtrail lookup-events`` output (PascalCase envelope whose ``CloudTrailEvent``
is the event as a JSON string; the envelope is kept as ``raw``), and events re-shipped by log shippers
with ``@timestamp`` instead of ``eventTime``.

Mapping (see docs/normalization.md):

=================  ==========================================================================
actor_uid          AssumedRole/IAMUser/Root/FederatedUser/Role: ``arn``; AWSService: ``invokedBy``;
                   WebIdentityUser/SAMLUser: ``userName``; IdentityCenterUser: ``onBehalfOf.userId``;
                   AWSAccount/Unknown: ``principalId``/``accountId``; Insight events: none
delegator_uid      ``sessionContext.sessionIssuer.arn`` (empty issuer: none); web identity / SAML provider
session_uid        ``accessKeyId`` when temporary (``ASIA…``)
credential_uid     ``accessKeyId``
target             S3 bucket/key from ``requestParameters``; IAM user/role names as ARNs; the role of
                   AssumeRole*; else the first ``resources[].ARN``
resources          ``resources[]``, created access keys and issued temporary keys (type ``credential``),
                   the assumed-role session ARN
status             ``errorCode`` → failure with ``errorCode: errorMessage``
=================  ==========================================================================
"""

from __future__ import annotations

from collections.abc import Sequence

NAME = "cloudtrail"
VERSION = "1.0"
DESCRIPTION = "AWS CloudTrail: S3 delivery files, JSON lines, lookup-events output, re-shipped events"


def sniff(records: Sequence[object]) -> bool:
    for record in records:
        if not isinstance(record, dict):
            continue
        if isinstance(record.get("CloudTrailEvent"), str):
            return True
        if "eventVersion" in record and ("eventName" in record or "eventSource" in record):
            return True
        if "eventSource" in record and "awsRegion" in record:
            return True
    return False
