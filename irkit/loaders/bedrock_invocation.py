"""Amazon Bedrock model invocation logs: what each model call was asked and answered, and by whom.

Shape (detected by content): one ``ModelInvocationLog`` record per line, as Bedrock delivers them to
CloudWatch Logs (and exported from there) or to S3 (``schemaType`` ``ModelInvocationLog``, ``schemaVersion``
``1.0``). Only calls to the ``bedrock-runtime`` endpoint are logged (``InvokeModel``,
``InvokeModelWithResponseStream``, ``Converse``, ``ConverseStream``); the same call appears in CloudTrail
under the same request id.

Mapping (see docs/normalization.md):

=================  ==========================================================================
event_uid          ``requestId`` (CloudTrail's ``requestID`` of the same call); else SHA-256 of raw
time               ``timestamp``
class_name         ``model_invocation``; operation ``operation``; activity invoke
status             failure when ``errorCode`` is set (detail ``errorCode: errorMessage``), else success
actor              ``identity.arn`` (the STS session or IAM ARN, as CloudTrail writes it), type
                   unknown; account ``accountId``
delegations        an assumed-role session ARN: ``session_of`` role → session (standing), as CloudTrail
target             the model: ``modelId`` as its ARN (a foundation model
                   ``arn:<partition>:bedrock:<region>::foundation-model/<id>``, a cross-region inference
                   profile ``…:<account>:inference-profile/<id>``, an ARN as given), type ``model``,
                   system ``aws:bedrock``, name = ``modelId``
resources          the tool calls the model asked for (Converse ``toolUse.toolUseId``) and the tool
                   results it was given (``toolResult.toolUseId``) as ``tool_call``; the guardrail
                   the request named (``guardrailConfig.guardrailIdentifier``)
=================  ==========================================================================

Prompts and completions stay in ``raw`` (they are evidence of what steered the model, not columns).
"""

from __future__ import annotations

from collections.abc import Sequence

NAME = "bedrock_invocation"
VERSION = "1.0"
DESCRIPTION = "Amazon Bedrock model invocation logs (CloudWatch Logs / S3 ModelInvocationLog records)"


def sniff(records: Sequence[object]) -> bool:
    return any(isinstance(r, dict) and r.get("schemaType") == "ModelInvocationLog" for r in records)
