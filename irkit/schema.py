"""The normalized event: one row per audit record, whatever system wrote it.

Declared once, as data, and imported everywhere. Names follow OCSF where OCSF has the concept
(API Activity 6003, Authentication 3002, the ``ai_operation`` and ``trace`` add-ons), flattened for
SQL. How each source fills the columns is written down in ``docs/normalization.md``.
"""

from __future__ import annotations

import pyarrow as pa

RESOURCE = pa.struct([("uid", pa.string()), ("type", pa.string()), ("system", pa.string())])

#: One delegation hop a record proves: whoever controls ``from_uid`` could act as ``to_uid``.
#: See DELEGATION_KINDS, DELEGATION_SCOPES and docs/normalization.md ("Delegation and credentials").
DELEGATION = pa.struct([
    ("kind", pa.string()),            # one of DELEGATION_KINDS
    ("from_uid", pa.string()),        # the principal the authority comes from (caller, impersonator, parent agent, end user)
    ("to_uid", pa.string()),          # the principal acted as (role session, service account, impersonated user, sub-agent, app)
    ("credential_uid", pa.string()),  # canonical id of the credential the hop yields, where the record names it
    ("scope", pa.string()),           # one of DELEGATION_SCOPES
    ("expires", pa.timestamp("us", tz="UTC")),  # when what the hop yields expires, where the record says
])

#: One credential a record names, with what the record did with it.
CREDENTIAL = pa.struct([
    ("uid", pa.string()),             # canonical id: one spelling from creation to use to deletion (per vendor, documented)
    ("kind", pa.string()),            # one of CREDENTIAL_KINDS
    ("action", pa.string()),          # one of CREDENTIAL_ACTIONS
    ("principal_uid", pa.string()),   # the principal it authenticates as (key owner, service account, app, repository)
    ("name", pa.string()),            # its human-readable name or title, where the record gives one
    ("expires", pa.timestamp("us", tz="UTC")),  # expiry, where the record says
])

#: Delegation hop kinds. ``assume_role``: took a role (AWS AssumeRole*, Azure/Entra role activation);
#: ``impersonate``: acted as another principal with the caller's own authority (GCP service-account
#: impersonation and ``serviceAccountDelegationInfo``, Kubernetes ``--as``); ``federate``: exchanged an
#: external identity's token for a principal (GCP workload identity federation, AWS web identity/SAML,
#: OAuth token exchange); ``on_behalf_of``: a client or agent acting for a user (OAuth end user,
#: ``user.id`` of an agent invocation, GitHub user-to-server token); ``spawn_agent``: an agent started a
#: sub-agent; ``consent``: a user or admin granted an app permissions (Entra/Okta consent, GitHub App
#: installation); ``same_as``: the record proves both uids name one principal (an app id and its service
#: principal, a workload identity principal and its Kubernetes service account, an App and its bot);
#: ``session_of``: ``to_uid`` is a session of ``from_uid`` and acts as it (an AWS role session ARN of
#: its role): identity resolution maps the session to the role, never the role to whoever opened it.
DELEGATION_KINDS = ("assume_role", "impersonate", "federate", "on_behalf_of", "spawn_agent", "consent", "same_as",
                    "session_of")
#: ``event``: this record's own action was made by ``to_uid`` under ``from_uid``'s authority (the event is
#: the delegation's only proof of control: nothing before or after it follows); ``grant``: this record
#: handed ``from_uid`` the means to act as ``to_uid`` later, through ``credential_uid`` until ``expires``
#: (AssumeRole, generateAccessToken, token exchange, spawning a sub-agent); ``standing``: a lasting
#: relationship (consent, installation, ``same_as``, ``session_of``), not a means to act.
DELEGATION_SCOPES = ("event", "grant", "standing")
#: Credential kinds.
CREDENTIAL_KINDS = (
    "access_key",            # long-lived cloud access key (AWS AKIA..., Alibaba, ...)
    "session_token",         # short-lived session credentials (AWS ASIA..., STS, federation)
    "service_account_key",   # GCP service-account key
    "oauth_token",           # OAuth access / refresh token (GCP generateAccessToken, Okta, Entra, GitHub user-to-server)
    "oauth_client",          # an OAuth client / app id used to authenticate (client credentials)
    "app_secret",            # client secret / password credential of an app or service principal
    "certificate",           # certificate / key credential of an app or service principal
    "federated_credential",  # a trust for an external identity (Entra federated identity credential, WIF provider)
    "personal_access_token", # GitHub / GitLab PAT, fine-grained or classic
    "deploy_key",            # a repository deploy key
    "ssh_key",               # a user SSH key
    "installation_token",    # GitHub App installation token
    "api_token",             # vendor API token (Okta SSWS token, ...)
    "service_account_token", # Kubernetes service-account token
    "password",              # password / login profile
    "mfa_device",            # an MFA factor
    "other",
)
#: ``used``: the record authenticated with it; ``issued``: the record handed it out (short-lived, to the
#: caller); ``created``: the record added a new long-lived credential; ``revoked``: disabled, deactivated
#: or revoked (it may come back); ``deleted``: removed for good.
CREDENTIAL_ACTIONS = ("used", "issued", "created", "revoked", "deleted")
#: Vendor-neutral kinds of act, for ``activity``.
ACTIVITIES = ("read", "list", "create", "update", "delete", "grant", "ungrant", "authenticate", "invoke", "other")

#: (name, arrow type, meaning) for every column of the ``events`` table, in order.
COLUMNS: tuple[tuple[str, pa.DataType, str], ...] = (
    ("event_uid", pa.string(), "The source's unique id (CloudTrail eventID, Okta uuid, ...); else SHA-256 of the raw record. Dedup key with source."),
    ("time", pa.timestamp("us", tz="UTC"), "When it happened, UTC."),
    ("end_time", pa.timestamp("us", tz="UTC"), "When it ended, where the record says (span end, response time); else null."),
    ("source", pa.string(), "Loader name: cloudtrail, bedrock_invocation, okta, entra_signin, entra_audit, azure_activity, graph_activity, gcp_audit, workspace_reports, github_audit, k8s_audit, mcp, toolhive_audit, agentgateway, litellm, claude_desktop_mcp, otel_genai, jsonl."),
    ("class_name", pa.string(), "api_activity, authentication, authorization, account_change, tool_call, agent_invocation, model_invocation, guardrail, data_access, ..."),
    ("operation", pa.string(), "What was done: eventName, eventType, methodName, 'verb resource', tools/call."),
    ("activity", pa.string(), "The kind of act, vendor-neutral (ACTIVITIES): read, list, create, update, delete, grant (gave a principal permissions, a role, membership or consent), ungrant, authenticate, invoke, other."),
    ("status", pa.string(), "success, failure or unknown."),
    ("status_detail", pa.string(), "Error code and message where the source gives them."),
    ("actor_uid", pa.string(), "The most specific principal in the record (role session ARN, Okta user id, service-account email, gen_ai.agent.id)."),
    ("actor_type", pa.string(), "human, service, agent or unknown, as the source says; the inventory refines it."),
    ("actor_name", pa.string(), "Display name of the actor."),
    ("account_uid", pa.string(), "The tenant the record belongs to: AWS account, Okta org, Azure tenant, GCP project, GitHub org, cluster."),
    ("session_uid", pa.string(), "The source's own session: temporary access key, Okta externalSessionId, mcp.session.id, gen_ai.conversation.id."),
    ("credential_uid", pa.string(), "The credential this record authenticated with, canonical (the uid of its 'used' entry in credentials): access key id, token id or hash, OAuth client id, key id."),
    ("delegator_uid", pa.string(), "On whose behalf or through whom: role issuer, impersonating principal, parent agent, OAuth end user (display; analyses read delegations)."),
    ("delegations", pa.list_(DELEGATION), "Every delegation hop the record proves (DELEGATION_KINDS, DELEGATION_SCOPES): from, to, the credential it yields, expiry."),
    ("credentials", pa.list_(CREDENTIAL), "Every credential the record names with what it did with it (CREDENTIAL_ACTIONS): canonical uid, kind, principal, name, expiry. The used one is also credential_uid."),
    ("target_uid", pa.string(), "The primary resource acted on, in the normalized form of docs/normalization.md."),
    ("target_type", pa.string(), "Kind of the primary resource (s3_object, iam_user, repository, secrets, mcp_tool, ...)."),
    ("target_name", pa.string(), "Display name of the primary resource."),
    ("target_system", pa.string(), "The downstream system: aws:s3, aws:iam, okta, github, k8s:<cluster>, mcp:<server>, ..."),
    ("resources", pa.list_(RESOURCE), "Every other resource the record names (uid, type, system); nothing referenced is dropped. Also what pairs an agent's messages and what it asked a tool: jsonrpc_id, tool_arguments (JSON text), tool_result (text a tool returned, first 4096 characters), tracestate (docs/normalization.md)."),
    ("src_ip", pa.string(), "Source address: an IPv4 or IPv6 address only (a service name or malformed value stays in raw)."),
    ("src_service", pa.string(), "The service a call came from or through where the record names one instead of (or beside) an address: CloudTrail 'AWS Internal', 's3.amazonaws.com', userIdentity.invokedBy. Lakes written before the column existed read it as null."),
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

#: Columns a loader's SQL may produce (the ingest adds the evidence_* provenance and source). A loader
#: states the columns it knows; the ingest adds the others as typed nulls (lists as empty lists).
LOADER_COLUMNS: tuple[str, ...] = tuple(
    c for c in EVENT_COLUMNS if c not in {"source", "evidence_file", "evidence_sha256", "evidence_offset", "evidence_path", "raw"}
)
#: Columns every loader must produce itself.
REQUIRED_LOADER_COLUMNS: tuple[str, ...] = ("event_uid", "time", "class_name", "operation", "status", "actor_uid")

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
