"""The normalized event: one row per audit record, whatever system wrote it.

Declared once, as data, and imported everywhere. Names follow OCSF where OCSF has the concept
(API Activity 6003, Authentication 3002, the ``ai_operation`` and ``trace`` add-ons), flattened for
SQL. How each source fills the columns is written down in ``docs/normalization.md``.
"""

from __future__ import annotations

import pyarrow as pa

RESOURCE = pa.struct([("uid", pa.string()), ("type", pa.string()), ("system", pa.string())])

#: (name, arrow type, meaning) for every column of the ``events`` table, in order.
COLUMNS: tuple[tuple[str, pa.DataType, str], ...] = (
    ("event_uid", pa.string(), "The source's unique id (CloudTrail eventID, Okta uuid, ...); else SHA-256 of the raw record. Dedup key with source."),
    ("time", pa.timestamp("us", tz="UTC"), "When it happened, UTC."),
    ("source", pa.string(), "Loader name: cloudtrail, okta, entra_signin, entra_audit, azure_activity, gcp_audit, github_audit, k8s_audit, mcp, otel_genai, jsonl."),
    ("class_name", pa.string(), "api_activity, authentication, authorization, account_change, tool_call, agent_invocation, data_access, ..."),
    ("operation", pa.string(), "What was done: eventName, eventType, methodName, 'verb resource', tools/call."),
    ("status", pa.string(), "success, failure or unknown."),
    ("status_detail", pa.string(), "Error code and message where the source gives them."),
    ("actor_uid", pa.string(), "The most specific principal in the record (role session ARN, Okta user id, service-account email, gen_ai.agent.id)."),
    ("actor_type", pa.string(), "human, service, agent or unknown, as the source says; the inventory refines it."),
    ("actor_name", pa.string(), "Display name of the actor."),
    ("account_uid", pa.string(), "The tenant the record belongs to: AWS account, Okta org, Azure tenant, GCP project, GitHub org, cluster."),
    ("session_uid", pa.string(), "The source's own session: temporary access key, Okta externalSessionId, mcp.session.id, gen_ai.conversation.id."),
    ("credential_uid", pa.string(), "Access key id, token id or hash, OAuth client id, key id."),
    ("delegator_uid", pa.string(), "On whose behalf or through whom: role issuer, impersonating principal, parent agent, OAuth end user."),
    ("target_uid", pa.string(), "The primary resource acted on, in the normalized form of docs/normalization.md."),
    ("target_type", pa.string(), "Kind of the primary resource (s3_object, iam_user, repository, secrets, mcp_tool, ...)."),
    ("target_name", pa.string(), "Display name of the primary resource."),
    ("target_system", pa.string(), "The downstream system: aws:s3, aws:iam, okta, github, k8s:<cluster>, mcp:<server>, ..."),
    ("resources", pa.list_(RESOURCE), "Every other resource the record names (uid, type, system); nothing referenced is dropped."),
    ("src_ip", pa.string(), "Source address."),
    ("user_agent", pa.string(), "User agent or client string (attacker-controlled: always escape)."),
    ("trace_uid", pa.string(), "OpenTelemetry trace id (lower-case hex)."),
    ("span_uid", pa.string(), "OpenTelemetry span id (lower-case hex)."),
    ("parent_span_uid", pa.string(), "Parent span id."),
    ("tool_name", pa.string(), "Tool invoked (MCP / GenAI)."),
    ("raw", pa.string(), "The original record as JSON text, byte for byte as it stood in the evidence."),
    ("evidence_file", pa.string(), "Path of the evidence file (archive members as archive!member)."),
    ("evidence_sha256", pa.string(), "SHA-256 of the evidence file's bytes as read (after decompression for .gz and archive members)."),
    ("evidence_offset", pa.int64(), "Line number (1-based) of the JSON text holding the record."),
    ("evidence_path", pa.string(), "JSON path of the record inside that text: '$' for a whole line, '$.Records[3]' inside an envelope."),
)

EVENT_SCHEMA = pa.schema([pa.field(name, typ) for name, typ, _ in COLUMNS])
EVENT_COLUMNS: tuple[str, ...] = tuple(name for name, _, _ in COLUMNS)
DESCRIPTIONS: dict[str, str] = {name: doc for name, _, doc in COLUMNS}

#: Columns a loader's SQL must produce (the ingest adds the evidence_* provenance and source).
LOADER_COLUMNS: tuple[str, ...] = tuple(
    c for c in EVENT_COLUMNS if c not in {"source", "evidence_file", "evidence_sha256", "evidence_offset", "evidence_path", "raw"}
)

QUARANTINE_SCHEMA = pa.schema(
    [
        ("evidence_file", pa.string()),
        ("evidence_sha256", pa.string()),
        ("evidence_offset", pa.int64()),
        ("evidence_path", pa.string()),
        ("source", pa.string()),
        ("reason", pa.string()),
        ("raw", pa.string()),
    ]
)

ACTOR_TYPES = ("human", "service", "agent", "unknown")
STATUSES = ("success", "failure", "unknown")


def describe() -> str:
    """The schema as a Markdown table, for docs and ``irkit sources --schema``."""
    rows = [f"| `{name}` | {typ} | {doc} |" for name, typ, doc in COLUMNS]
    return "\n".join(["| column | type | meaning |", "|---|---|---|", *rows])
