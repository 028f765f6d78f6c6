"""Entra ID and Azure Activity loader: every shape, the three sources, one whole row per case.

The samples in ``samples/entra/`` were written from Microsoft's documented formats (Microsoft Graph
``signIn`` and ``directoryAudit`` resources, the Azure Monitor sign-in / audit log schemas, the Azure
Activity log event schema as exported, as returned by the REST API / ``az monitor activity-log list``,
and as the Python SDK's ``as_dict()`` prints it):

* ``graph_signins.json``: a Graph ``/auditLogs/signIns`` page: an interactive user failure, a service
  principal with a client secret, a user-assigned managed identity;
* ``signinlogs_export.json``: an Azure Monitor ``{"records": [...]}`` blob of the four sign-in categories,
  ``resultType`` as a string, 7-digit fractions;
* ``graph_directory_audits.json``: a Graph ``/auditLogs/directoryAudits`` page: a user adds a client
  secret to an application, an app fails to add a member to a role;
* ``auditlogs_export.jsonl``: an ``AuditLogs`` diagnostic record per line;
* ``activity_export.json``: Activity log diagnostic records (upper-cased resource ids, ``identity.claims``);
* ``activity_cli.json``: ``az monitor activity-log list`` output (camelCase, ``{value, localizedValue}``):
  a Key Vault write and a role assignment's Started record with its ``requestbody``;
* ``activity_sdk.jsonl``: the Python SDK's snake_case events (``event_data_id``, ``{value, localized_value}``);
* ``eventhub_mixed.jsonl``: an Event Hub capture mixing an audit record with a provisioning record, an
  AKS ``kube-audit-admin`` record and a truncated line;
* ``delegation.jsonl``: Graph objects, one per line: ``Add service principal credentials`` (a
  ``KeyDescription`` gaining a password key), the service principal's sign-in with that secret
  (``clientCredentialType`` clientSecret, ``servicePrincipalCredentialKeyId``), ``Remove service
  principal credentials``, an admin ``Consent to application``, an ``Update application`` adding a
  federated identity credential (``FederatedIdentityCredentials``) and a sign-in with it
  (``federatedCredentialId``);
* ``keyvault_auditevent.json``: Key Vault ``AuditEvent`` resource logs as a diagnostic setting archives
  them (``{"records": [...]}``, the caller's claims in ``identity.claim``): the documented ``VaultGet``
  example, ``SecretGet``, ``SecretList`` and a ``SecretGet`` refused with ``httpStatusCode`` 403;
* ``storage_blob.jsonl``: Blob Storage resource logs (``StorageRead`` / ``StorageDelete``, JSON lines):
  OAuth by a service principal and by a user (``identity.requester``), a SAS and an account key request
  (no principal), ``callerIpAddress`` with its port (IPv4 and bracketed IPv6);
* ``revocation.jsonl``: Graph objects: ``Update service principal`` with ``AccountEnabled`` true -> false,
  ``Update application – Certificates and secrets management`` removing a secret (old value only), ``Add
  app role assignment to service principal`` naming its grantee in ``ServicePrincipal.ObjectID``, and a
  user sign-in federated from Okta (``tokenIssuerType`` ADFederationServices, ``tokenIssuerName``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from irkit import loaders
from irkit.evidence import EvidenceItem, sample_records, scan_document
from tests.loaders.helpers import CHECKED, SAMPLES, blank_row, cred, hop, load, one, quarantine, res, subset
from tests.loaders.helpers import utc as us

HERE = SAMPLES / "entra"
GRAPH_SIGNINS = HERE / "graph_signins.json"
SIGNIN_EXPORT = HERE / "signinlogs_export.json"
GRAPH_AUDITS = HERE / "graph_directory_audits.json"
AUDIT_EXPORT = HERE / "auditlogs_export.jsonl"
ACTIVITY_EXPORT = HERE / "activity_export.json"
ACTIVITY_CLI = HERE / "activity_cli.json"
ACTIVITY_SDK = HERE / "activity_sdk.jsonl"
MIXED = HERE / "eventhub_mixed.jsonl"
DELEGATION = HERE / "delegation.jsonl"
KEYVAULT = HERE / "keyvault_auditevent.json"
STORAGE = HERE / "storage_blob.jsonl"
REVOCATION = HERE / "revocation.jsonl"

TENANT = "72f988bf-0000-4000-8000-00000000c0de"
SUB = "5f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
DANA = "0b7e6d1c-2f3a-4b5c-8d9e-a1b2c3d4e5f6"
DANA_UPN = "dana.reyes@contoso.example"
SAM = "5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f"
AGENT_SP = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"
AGENT_APP = "e1d2c3b4-a5f6-4789-8abc-def012345678"
AGENT_NEW_SECRET = "b7c8d9e0-f1a2-4b3c-9d4e-5f6a7b8c9d0e"
AGENT_OLD_SECRET = "d4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f7a"
#: Logged upper-case by the audit that adds it, lower-case by the sign-in: canonical lower-case.
BACKDOOR_KEY = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"
AGENT_APP_OBJECT = "2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b"
AGENT_FIC = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
MI_SP = "8a9b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d"
MI_APP = "6f7a8b9c-0d1e-4f2a-b3c4-d5e6f7a8b9c0"
MI_RESOURCE = f"/subscriptions/{SUB}/resourceGroups/rg-agents/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-agent-prod"
AZURE_CLI = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
ARM = "797f4846-ba00-4fd7-ba43-dac1f8f63013"
GRAPH = "00000003-0000-0000-c000-000000000000"
GRAPH_SP = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
KV_AGENTS = f"/SUBSCRIPTIONS/{SUB.upper()}/RESOURCEGROUPS/RG-AGENTS/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/KV-AGENTS"
BLOBS = f"/subscriptions/{SUB}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stacmecustomers/blobServices/default"
STORAGE_ACCOUNT = f"/subscriptions/{SUB}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stacmecustomers"
UA_KV_PY = "azsdk-python-keyvault-secrets/4.8.0 Python/3.11.8 (Linux-6.5.0-x86_64-with-glibc2.35)"
TEAMS = "1fec8e78-bce4-4aaf-ab1b-5451cc387264"
OKTA_ISSUER = "http://www.okta.com/exk1a2b3c4d5E6F7g8h9"
SAS_HASH = ("key1(0A0FE8AADA354B19722ED1F4E2443F0DC8FAF3E6CF8C8AD805DE6D563E0E5F8A),"
            "SasSignature(04D64C2B3A704145C9F1664F2011A3467A74D72DA72751A9137DDAA732FA03CF)")
ACCOUNT_KEY_HASH = "key2(5B7E343A6FEB1E342672AFD40072B70D4A91B0A5CDF797EC56BF82B2C3635CE1)"
UA_CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"





def app(uid: str) -> dict[str, str]:
    return res(uid, "application", "entra")


def locate(file: Path, path: str) -> tuple[int, str]:
    """(line, raw text) of the record at JSON path ``path`` (``$:<line>`` for a JSON-lines file)."""
    if path.startswith("$:"):
        line = int(path[2:])
        return line, file.read_text().splitlines()[line - 1]
    for line, found, raw in scan_document(file.read_text()):
        if found == path:
            return line, raw
    raise KeyError(path)


def row(file: Path, path: str, source: str, **columns: Any) -> dict[str, Any]:
    """A whole expected row; ``event_uid`` defaults to the SHA-256 of the record's raw text."""
    offset, raw = locate(file, path)
    expected: dict[str, Any] = blank_row()
    expected.update(
        source=source, resources=[], account_uid=TENANT, event_uid=hashlib.sha256(raw.encode()).hexdigest()
    )
    expected.update(
        evidence_file=str(file), evidence_offset=offset, evidence_path="$" if path.startswith("$:") else path
    )
    unknown = set(columns) - set(CHECKED)
    assert not unknown, f"not event columns: {unknown}"
    expected.update(columns)
    return expected


def signin(file: Path, path: str, **columns: Any) -> dict[str, Any]:
    return row(
        file,
        path,
        "entra_signin",
        class_name="authentication",
        operation="Sign-in activity",
        target_system="entra",
        target_type="application",
        **columns,
    )


def audit(file: Path, path: str, **columns: Any) -> dict[str, Any]:
    return row(file, path, "entra_audit", target_system="entra", **columns)


def activity(file: Path, path: str, **columns: Any) -> dict[str, Any]:
    return row(file, path, "azure_activity", **columns)


CASES: dict[str, dict[str, Any]] = {
    # --- sign-ins, Graph API ----------------------------------------------------------------------
    "Graph: interactive user sign-in fails (object id, UPN as name, app as OAuth client)": signin(
        GRAPH_SIGNINS,
        "$.value[0]",
        activity="authenticate",
        credentials=[cred(AZURE_CLI, "oauth_client", "used", AZURE_CLI, "Microsoft Azure CLI")],
        event_uid="5e1c2a4f-8b3d-4c1e-9f0a-1d2e3f4a5b01",
        time=us(2024, 5, 2, 9, 14, 7),
        status="failure",
        status_detail="50126: Error validating credentials due to invalid username or password.",
        actor_uid=DANA,
        actor_type="human",
        actor_name=DANA_UPN,
        session_uid="c4a1f0e2-77b3-4d0a-9e51-2b8c6d7e8f90",
        credential_uid=AZURE_CLI,
        target_uid=ARM,
        target_name="Windows Azure Service Management API",
        resources=[app(AZURE_CLI)],
        src_ip="203.0.113.24",
        user_agent="Mozilla/5.0 (X11; Linux x86_64) azsdk-python-identity/1.16.0 Python/3.11.8",
    ),
    "Graph: service principal signs in with a client secret": signin(
        GRAPH_SIGNINS,
        "$.value[1]",
        activity="authenticate",
        delegations=[hop("same_as", AGENT_APP, AGENT_SP, "standing")],
        credentials=[cred(AGENT_NEW_SECRET, "app_secret", "used", AGENT_SP)],
        event_uid="a3f9d2c1-6e5b-4a7d-8c0f-9e8d7c6b5a02",
        time=us(2024, 5, 2, 9, 16, 55),
        status="success",
        actor_uid=AGENT_SP,
        actor_type="service",
        actor_name="agent-runner",
        session_uid="7b2e4c6a-1d3f-4e5a-9b8c-0d1e2f3a4b5c",
        credential_uid=AGENT_NEW_SECRET,
        target_uid=GRAPH,
        target_name="Microsoft Graph",
        resources=[
            res(GRAPH_SP, "service_principal", "entra"),
            app(AGENT_APP),
        ],
        src_ip="198.51.100.17",
    ),
    "Graph: user-assigned managed identity signs in to Key Vault": signin(
        GRAPH_SIGNINS,
        "$.value[2]",
        activity="authenticate",
        delegations=[hop("same_as", MI_APP, MI_SP, "standing")],
        credentials=[cred(MI_APP, "oauth_client", "used", MI_APP, "id-agent-prod")],
        event_uid="d0e1f2a3-b4c5-4d6e-8f70-8192a3b4c503",
        time=us(2024, 5, 2, 9, 18, 30),
        status="success",
        actor_uid=MI_SP,
        actor_type="service",
        actor_name="id-agent-prod",
        session_uid="2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f60",
        credential_uid=MI_APP,
        target_uid="cfa8b339-82a2-471a-a3c9-0fc0be7a4093",
        target_name="Azure Key Vault",
        resources=[
            res(
                MI_RESOURCE,
                "microsoft.managedidentity/userassignedidentities",
                "azure:microsoft.managedidentity",
            ),
            app(MI_APP),
        ],
    ),
    # --- sign-ins, Azure Monitor export ------------------------------------------------------------
    "export: SignInLogs failure, resultType a string, 7-digit fraction": signin(
        SIGNIN_EXPORT,
        "$.records[0]",
        activity="authenticate",
        credentials=[cred("c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "oauth_client", "used", "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Azure Portal")],
        event_uid="f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a04",
        time=us(2024, 5, 2, 9, 21, 44, 508126),
        status="failure",
        status_detail="50126: Error validating credentials due to invalid username or password.",
        actor_uid=DANA,
        actor_type="human",
        actor_name=DANA_UPN,
        session_uid="e8f9a0b1-c2d3-4e4f-9a5b-6c7d8e9f0a1b",
        credential_uid="c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
        target_uid=ARM,
        target_name="Windows Azure Service Management API",
        resources=[app("c44b4083-3bb0-49c1-b47d-974e53cbdf3c")],
        src_ip="203.0.113.24",
        user_agent=UA_CHROME,
    ),
    "export: NonInteractiveUserSignInLogs success": signin(
        SIGNIN_EXPORT,
        "$.records[1]",
        activity="authenticate",
        # the token the sign-in issued (uniqueTokenIdentifier) is what the app acts for the user with
        delegations=[hop("on_behalf_of", DANA, AZURE_CLI, "grant", "MGMxZDJlM2YtNGE1Yi00YzZkLThlN2YtOWEwYjFjMmQzZTA1")],
        credentials=[cred(AZURE_CLI, "oauth_client", "used", AZURE_CLI, "Microsoft Azure CLI"),
                     cred("MGMxZDJlM2YtNGE1Yi00YzZkLThlN2YtOWEwYjFjMmQzZTA1", "oauth_token", "issued", DANA)],
        event_uid="0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e05",
        time=us(2024, 5, 2, 9, 24, 2),
        status="success",
        actor_uid=DANA,
        actor_type="human",
        actor_name=DANA_UPN,
        session_uid="0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        credential_uid=AZURE_CLI,
        target_uid=GRAPH,
        target_name="Microsoft Graph",
        resources=[app(AZURE_CLI)],
        src_ip="203.0.113.24",
        user_agent="python/3.11.8 (Linux-6.5.0-x86_64-with-glibc2.35) msal/1.28.0",
    ),
    "export: ServicePrincipalSignInLogs, the old secret is refused": signin(
        SIGNIN_EXPORT,
        "$.records[2]",
        activity="authenticate",
        delegations=[hop("same_as", AGENT_APP, AGENT_SP, "standing")],
        credentials=[cred(AGENT_OLD_SECRET, "other", "used", AGENT_SP)],
        event_uid="9f0a1b2c-3d4e-4f5a-8b6c-7d8e9f0a1b06",
        time=us(2024, 5, 2, 9, 26, 13, 991744),
        status="failure",
        status_detail="7000215: Invalid client secret provided.",
        actor_uid=AGENT_SP,
        actor_type="service",
        actor_name="agent-runner",
        session_uid="5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d",
        credential_uid=AGENT_OLD_SECRET,
        target_uid=GRAPH,
        target_name="Microsoft Graph",
        resources=[app(AGENT_APP)],
        src_ip="198.51.100.17",
    ),
    "export: ManagedIdentitySignInLogs (no IP address)": signin(
        SIGNIN_EXPORT,
        "$.records[3]",
        activity="authenticate",
        delegations=[hop("same_as", MI_APP, MI_SP, "standing")],
        credentials=[cred(MI_APP, "oauth_client", "used", MI_APP, "id-agent-prod")],
        event_uid="1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c07",
        time=us(2024, 5, 2, 9, 27, 51, 330041),
        status="success",
        actor_uid=MI_SP,
        actor_type="service",
        actor_name="id-agent-prod",
        session_uid="6b7c8d9e-0f1a-4b2c-8d3e-4f5a6b7c8d9e",
        credential_uid=MI_APP,
        target_uid=ARM,
        target_name="Windows Azure Service Management API",
        resources=[app(MI_APP)],
    ),
    # --- directory audits ---------------------------------------------------------------------------
    "Graph: a user adds a client secret to the agent's application": audit(
        GRAPH_AUDITS,
        "$.value[0]",
        activity="update",
        delegations=[hop("same_as", AGENT_APP, "2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b", "standing")],
        credentials=[cred(AGENT_NEW_SECRET, "app_secret", "created", "2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b", "agent-temp")],
        event_uid="Directory_4b5c6d7e-8f90-4a1b-9c2d-3e4f5a6b7c8d_K7QZ2_318402911",
        time=us(2024, 5, 2, 9, 33, 18, 274611),
        account_uid=None,
        class_name="account_change",
        operation="Update application – Certificates and secrets management ",
        status="success",
        actor_uid=DANA,
        actor_type="human",
        actor_name=DANA_UPN,
        target_uid="2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b",
        target_type="application",
        target_name="agent-runner",
        resources=[res(AGENT_NEW_SECRET, "credential", "entra")],
        src_ip="203.0.113.24",
        user_agent=UA_CHROME,
    ),
    "Graph: an app fails to add a member to a role": audit(
        GRAPH_AUDITS,
        "$.value[1]",
        activity="grant",
        delegations=[hop("same_as", AGENT_APP, AGENT_SP, "standing")],
        credentials=[cred(AGENT_APP, "oauth_client", "used", AGENT_APP, "agent-runner")],
        event_uid="Directory_9c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f_PX31M_318407744",
        time=us(2024, 5, 2, 9, 41, 2, 550193),
        account_uid=None,
        class_name="account_change",
        operation="Add member to role",
        status="failure",
        status_detail="Microsoft.Online.Workflows.ObjectAlreadyExistsException",
        actor_uid=AGENT_SP,
        actor_type="service",
        actor_name="agent-runner",
        credential_uid=AGENT_APP,
        target_uid=SAM,
        target_type="user",
        target_name="sam.okafor@contoso.example",
        resources=[res("62e90394-69f5-4237-9190-012177145e10", "role", "entra"), app(AGENT_APP)],
    ),
    "export: AuditLogs app role granted to the agent's service principal": audit(
        AUDIT_EXPORT,
        "$:1",
        activity="grant",
        event_uid="Directory_1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b_ZR8QW_318404102",
        time=us(2024, 5, 2, 9, 35, 40, 118421),
        class_name="account_change",
        operation="Add app role assignment to service principal",
        status="success",
        actor_uid=DANA,
        actor_type="human",
        actor_name=DANA_UPN,
        delegations=[hop("consent", DANA, AGENT_SP, "standing")],
        target_uid=GRAPH_SP,
        target_type="service_principal",
        target_name="Microsoft Graph",
        resources=[res(AGENT_SP, "service_principal", "entra")],
        src_ip="203.0.113.24",
        user_agent="python/3.11.8 (Linux-6.5.0-x86_64-with-glibc2.35) msgraph-sdk-python/1.2.0",
    ),
    "export: self-service password reset times out": audit(
        MIXED,
        "$:1",
        activity="update",
        event_uid="SSGM_dd44ee55-ff66-4a77-8b88-99aa00bb11cc_JQ4X9_99120466",
        time=us(2024, 5, 2, 10, 19, 30, 551208),
        class_name="account_change",
        operation="Reset user password",
        status="failure",
        status_detail="timeout",
        actor_uid=SAM,
        actor_type="human",
        actor_name="sam.okafor@contoso.example",
        target_uid=SAM,
        target_type="user",
        target_name="sam.okafor@contoso.example",
        src_ip="192.0.2.44",
    ),
    # --- Azure Activity log -----------------------------------------------------------------------
    "export: a user writes a role assignment (no event id: SHA-256 of raw, resource id as given)": activity(
        ACTIVITY_EXPORT,
        "$.records[0]",
        activity="grant",
        delegations=[hop("on_behalf_of", DANA, AZURE_CLI, "event")],
        credentials=[cred(AZURE_CLI, "oauth_client", "used", AZURE_CLI)],
        time=us(2024, 5, 2, 9, 44, 12, 663058),
        class_name="account_change",
        operation="MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE",
        status="success",
        status_detail="Success: Created",
        actor_uid=DANA,
        actor_type="human",
        actor_name=DANA_UPN,
        session_uid="3e4f5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b",
        credential_uid=AZURE_CLI,
        target_uid=f"/SUBSCRIPTIONS/{SUB.upper()}/RESOURCEGROUPS/RG-AGENTS/PROVIDERS/MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/7E8F9A0B-1C2D-4E3F-8A4B-5C6D7E8F9A0B",
        target_type="microsoft.authorization/roleassignments",
        target_name="7E8F9A0B-1C2D-4E3F-8A4B-5C6D7E8F9A0B",
        target_system="azure:microsoft.authorization",
        # the request body's grantee, role definition (Contributor) and scope
        resources=[
            res(f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{CONTRIBUTOR}",
                "microsoft.authorization/roledefinitions", "azure:microsoft.authorization"),
            res(f"/subscriptions/{SUB}/resourceGroups/rg-agents", "microsoft.resources/resourcegroups", "azure:microsoft.resources"),
            app(AZURE_CLI),
            res(AGENT_SP, "service_principal", "entra"),
        ],
        src_ip="203.0.113.24",
    ),
    "export: a managed identity is refused storage account keys": activity(
        ACTIVITY_EXPORT,
        "$.records[1]",
        activity="read",
        delegations=[hop("same_as", MI_APP, MI_SP, "standing")],
        credentials=[cred(MI_APP, "oauth_client", "used", MI_APP)],
        time=us(2024, 5, 2, 9, 52, 7, 91273),
        class_name="api_activity",
        operation="MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION",
        status="failure",
        status_detail="Failure: Forbidden",
        actor_uid=MI_SP,
        actor_type="service",
        session_uid="8d9e0f1a-2b3c-4d4e-9f5a-6b7c8d9e0f1a",
        credential_uid=MI_APP,
        target_uid=f"/SUBSCRIPTIONS/{SUB.upper()}/RESOURCEGROUPS/RG-DATA/PROVIDERS/MICROSOFT.STORAGE/STORAGEACCOUNTS/STACMECUSTOMERS",
        target_type="microsoft.storage/storageaccounts",
        target_name="STACMECUSTOMERS",
        target_system="azure:microsoft.storage",
        resources=[
            res(
                f"/subscriptions/{SUB}/resourcegroups/rg-agents/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-agent-prod",
                "microsoft.managedidentity/userassignedidentities",
                "azure:microsoft.managedidentity",
            ),
            app(MI_APP),
        ],
        src_ip="20.61.14.2",
    ),
    "az CLI: a service principal updates a Key Vault": activity(
        ACTIVITY_CLI,
        "$[0]",
        activity="update",
        delegations=[hop("same_as", AGENT_APP, AGENT_SP, "standing")],
        credentials=[cred(AGENT_APP, "oauth_client", "used", AGENT_APP)],
        event_uid="c9d8e7f6-a5b4-4c3d-9e2f-1a0b9c8d7e6f",
        time=us(2024, 5, 2, 9, 58, 31, 416195),
        class_name="api_activity",
        operation="Microsoft.KeyVault/vaults/write",
        status="success",
        status_detail="Succeeded: OK",
        actor_uid=AGENT_SP,
        actor_type="service",
        session_uid="b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e",
        credential_uid=AGENT_APP,
        target_uid=f"/subscriptions/{SUB}/resourceGroups/rg-agents/providers/Microsoft.KeyVault/vaults/kv-agents",
        target_type="microsoft.keyvault/vaults",
        target_name="kv-agents",
        target_system="azure:microsoft.keyvault",
        resources=[app(AGENT_APP)],
        src_ip="198.51.100.17",
    ),
    "SDK: a service principal is refused a role-assignment delete": activity(
        ACTIVITY_SDK,
        "$:1",
        activity="ungrant",
        credentials=[cred(AGENT_APP, "oauth_client", "used", AGENT_APP)],
        event_uid="2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d",
        time=us(2024, 5, 2, 10, 10, 12, 650843),
        class_name="account_change",
        operation="Microsoft.Authorization/roleAssignments/delete",
        status="failure",
        status_detail="Failed: Forbidden",
        actor_uid=AGENT_SP,
        actor_type="service",
        session_uid="7f8e9d0c-1b2a-4938-8776-5c4b3a2f1e0d",
        credential_uid=AGENT_APP,
        target_uid=f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments/11223344-5566-4778-899a-abbccddeeff0",
        target_type="microsoft.authorization/roleassignments",
        target_name="11223344-5566-4778-899a-abbccddeeff0",
        target_system="azure:microsoft.authorization",
        resources=[app(AGENT_APP)],
        src_ip="198.51.100.17",
    ),
    # --- delegation and credentials (delegation.jsonl, Graph objects) -----------------------------
    # One client secret, added, used and removed: KeyDescription's KeyIdentifier (upper-case here) and
    # the sign-in's servicePrincipalCredentialKeyId are one canonical uid, the GUID lower-cased.
    "Graph: a user adds a secret to the agent's service principal (created, canonical key id)": audit(
        DELEGATION,
        "$:1",
        event_uid="Directory_6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d_Q2W3E_318410001",
        activity="create",
        credentials=[cred(BACKDOOR_KEY, "app_secret", "created", AGENT_SP, "agent-backdoor")],
        time=us(2024, 5, 2, 10, 40, 11, 552190),
        account_uid=None,
        class_name="account_change",
        operation="Add service principal credentials",
        status="success",
        actor_uid=DANA,
        actor_type="human",
        actor_name=DANA_UPN,
        target_uid=AGENT_SP,
        target_type="service_principal",
        target_name="agent-runner",
        resources=[res(BACKDOOR_KEY, "credential", "entra")],
        src_ip="203.0.113.24",
        user_agent="python/3.11.8 msgraph-sdk-python/1.2.0",
    ),
    "Graph: the service principal signs in with that secret (used, not a credential resource)": signin(
        DELEGATION,
        "$:2",
        event_uid="7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d10",
        activity="authenticate",
        delegations=[hop("same_as", AGENT_APP, AGENT_SP, "standing")],
        credentials=[cred(BACKDOOR_KEY, "app_secret", "used", AGENT_SP)],
        time=us(2024, 5, 2, 10, 44, 2),
        status="success",
        actor_uid=AGENT_SP,
        actor_type="service",
        actor_name="agent-runner",
        session_uid="8c9d0e1f-2a3b-4c4d-9e5f-6a7b8c9d0e11",
        credential_uid=BACKDOOR_KEY,
        target_uid=ARM,
        target_name="Windows Azure Service Management API",
        resources=[res("a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", "service_principal", "entra"), app(AGENT_APP)],
        src_ip="198.51.100.77",
    ),
    "Graph: the secret is removed (deleted, the same uid)": audit(
        DELEGATION,
        "$:3",
        event_uid="Directory_9d0e1f2a-3b4c-4d5e-8f6a-7b8c9d0e1f2a_R4T5Y_318412002",
        activity="delete",
        credentials=[cred(BACKDOOR_KEY, "app_secret", "deleted", AGENT_SP, "agent-backdoor")],
        time=us(2024, 5, 2, 11, 10, 37, 4211),
        account_uid=None,
        class_name="account_change",
        operation="Remove service principal credentials",
        status="success",
        actor_uid=DANA,
        actor_type="human",
        actor_name=DANA_UPN,
        target_uid=AGENT_SP,
        target_type="service_principal",
        target_name="agent-runner",
        resources=[res(BACKDOOR_KEY, "credential", "entra")],
        src_ip="203.0.113.24",
    ),
    "Graph: admin consent to the agent's application (consent hop, grant)": audit(
        DELEGATION,
        "$:4",
        event_uid="Directory_0e1f2a3b-4c5d-4e6f-9a7b-8c9d0e1f2a3b_T6Y7U_318409003",
        activity="grant",
        delegations=[hop("consent", DANA, AGENT_SP, "standing")],
        time=us(2024, 5, 2, 10, 30, 5, 773000),
        account_uid=None,
        class_name="account_change",
        operation="Consent to application",
        status="success",
        actor_uid=DANA,
        actor_type="human",
        actor_name=DANA_UPN,
        target_uid=AGENT_SP,
        target_type="service_principal",
        target_name="agent-runner",
        src_ip="203.0.113.24",
        user_agent=UA_CHROME,
    ),
    "Graph: a federated identity credential added to the application (created, its Id lower-cased)": audit(
        DELEGATION,
        "$:5",
        event_uid="Directory_1f2a3b4c-5d6e-4f7a-8b9c-0d1e2f3a4b5c_U8I9O_318413004",
        activity="update",
        delegations=[hop("same_as", AGENT_APP, AGENT_APP_OBJECT, "standing")],
        credentials=[cred(AGENT_FIC, "federated_credential", "created", AGENT_APP_OBJECT, "gh-agents-main")],
        time=us(2024, 5, 2, 11, 20, 44, 120031),
        account_uid=None,
        class_name="account_change",
        operation="Update application",
        status="success",
        actor_uid=DANA,
        actor_type="human",
        actor_name=DANA_UPN,
        target_uid=AGENT_APP_OBJECT,
        target_type="application",
        target_name="agent-runner",
        resources=[res(AGENT_FIC, "credential", "entra")],
        src_ip="203.0.113.24",
        user_agent="python/3.11.8 msgraph-sdk-python/1.2.0",
    ),
    "Graph: the service principal signs in with it (federatedCredentialId: the same uid)": signin(
        DELEGATION,
        "$:6",
        event_uid="2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6e",
        activity="authenticate",
        delegations=[hop("same_as", AGENT_APP, AGENT_SP, "standing")],
        credentials=[cred(AGENT_FIC, "federated_credential", "used", AGENT_SP)],
        time=us(2024, 5, 2, 11, 25, 9),
        status="success",
        actor_uid=AGENT_SP,
        actor_type="service",
        actor_name="agent-runner",
        session_uid="3b4c5d6e-7f8a-4b9c-8d0e-1f2a3b4c5d6f",
        credential_uid=AGENT_FIC,
        target_uid=ARM,
        target_name="Windows Azure Service Management API",
        resources=[res("a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", "service_principal", "entra"), app(AGENT_APP)],
        src_ip="192.0.2.201",
    ),
    # --- Azure resource logs: Key Vault AuditEvent (keyvault_auditevent.json) ----------------------
    # The caller is in identity.claim (singular): object id = actor, appid = the OAuth client used.
    "Key Vault: a user reads the vault through Azure Resource Manager (documented example shape)": activity(
        KEYVAULT,
        "$.records[0]",
        activity="read",
        delegations=[hop("on_behalf_of", DANA, AZURE_CLI, "event")],
        credentials=[cred(AZURE_CLI, "oauth_client", "used", AZURE_CLI)],
        time=us(2024, 5, 2, 10, 5, 1, 269122),
        account_uid=None,
        class_name="api_activity",
        operation="VaultGet",
        status="success",
        status_detail="200: OK",
        actor_uid=DANA,
        actor_type="human",
        actor_name=DANA_UPN,
        credential_uid=AZURE_CLI,
        target_uid=KV_AGENTS,
        target_type="microsoft.keyvault/vaults",
        target_name="KV-AGENTS",
        target_system="azure:microsoft.keyvault",
        resources=[app(AZURE_CLI)],
        src_ip="203.0.113.24",
        user_agent="azure-resource-manager/2.0",
    ),
    "Key Vault: a service principal gets a secret (the secret under the vault's resource id)": activity(
        KEYVAULT,
        "$.records[1]",
        activity="read",
        delegations=[hop("same_as", AGENT_APP, AGENT_SP, "standing")],
        credentials=[cred(AGENT_APP, "oauth_client", "used", AGENT_APP)],
        time=us(2024, 5, 2, 10, 5, 44, 512000),
        class_name="data_access",
        operation="SecretGet",
        status="success",
        status_detail="200: OK",
        actor_uid=AGENT_SP,
        actor_type="service",
        session_uid="4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d",
        credential_uid=AGENT_APP,
        target_uid=f"{KV_AGENTS}/secrets/openai-api-key",
        target_type="microsoft.keyvault/vaults/secrets",
        target_name="openai-api-key",
        target_system="azure:microsoft.keyvault",
        resources=[res(KV_AGENTS, "microsoft.keyvault/vaults", "azure:microsoft.keyvault"), app(AGENT_APP)],
        src_ip="198.51.100.17",
        user_agent=UA_KV_PY,
    ),
    "Key Vault: it lists the vault's secrets (a collection: the vault is the target)": activity(
        KEYVAULT,
        "$.records[2]",
        activity="list",
        delegations=[hop("same_as", AGENT_APP, AGENT_SP, "standing")],
        credentials=[cred(AGENT_APP, "oauth_client", "used", AGENT_APP)],
        time=us(2024, 5, 2, 10, 6, 2, 4000),
        class_name="data_access",
        operation="SecretList",
        status="success",
        status_detail="200: OK",
        actor_uid=AGENT_SP,
        actor_type="service",
        credential_uid=AGENT_APP,
        target_uid=KV_AGENTS,
        target_type="microsoft.keyvault/vaults",
        target_name="KV-AGENTS",
        target_system="azure:microsoft.keyvault",
        resources=[app(AGENT_APP)],
        src_ip="198.51.100.17",
        user_agent=UA_KV_PY,
    ),
    "Key Vault: a refused SecretGet is a failure (resultType Success, httpStatusCode 403)": activity(
        KEYVAULT,
        "$.records[3]",
        activity="read",
        delegations=[hop("same_as", AGENT_APP, AGENT_SP, "standing")],
        credentials=[cred(AGENT_APP, "oauth_client", "used", AGENT_APP)],
        time=us(2024, 5, 2, 10, 6, 19, 773000),
        class_name="data_access",
        operation="SecretGet",
        status="failure",
        status_detail="403: Forbidden: Caller is not authorized to perform action on resource.",
        actor_uid=AGENT_SP,
        actor_type="service",
        credential_uid=AGENT_APP,
        target_uid=f"{KV_AGENTS}/secrets/db-admin-password",
        target_type="microsoft.keyvault/vaults/secrets",
        target_name="db-admin-password",
        target_system="azure:microsoft.keyvault",
        resources=[res(KV_AGENTS, "microsoft.keyvault/vaults", "azure:microsoft.keyvault"), app(AGENT_APP)],
        src_ip="198.51.100.17",
        user_agent=UA_KV_PY,
    ),
    # --- Azure resource logs: Storage (storage_blob.jsonl) ------------------------------------------
    # identity.requester names an OAuth caller; shared key and SAS requests name only the key.
    "Storage: a service principal downloads a blob (OAuth; the address without its port)": activity(
        STORAGE,
        "$:1",
        activity="read",
        delegations=[hop("same_as", AGENT_APP, AGENT_SP, "standing")],
        credentials=[cred(AGENT_APP, "oauth_client", "used", AGENT_APP)],
        time=us(2024, 5, 2, 10, 12, 4, 123456),
        class_name="data_access",
        operation="GetBlob",
        status="success",
        status_detail="200: Success",
        actor_uid=AGENT_SP,
        actor_type="service",
        session_uid="a1b2c3d4-601e-0042-3c7f-9cf83a000000",
        credential_uid=AGENT_APP,
        target_uid=f"{BLOBS}/containers/exports/blobs/2024-05/customers.csv",
        target_type="microsoft.storage/storageaccounts/blobservices/containers/blobs",
        target_name="2024-05/customers.csv",
        target_system="azure:microsoft.storage",
        resources=[
            res(BLOBS, "microsoft.storage/storageaccounts/blobservices", "azure:microsoft.storage"),
            res(f"{BLOBS}/containers/exports", "microsoft.storage/storageaccounts/blobservices/containers", "azure:microsoft.storage"),
            app(AGENT_APP),
        ],
        src_ip="198.51.100.17",
        user_agent="azsdk-python-storage-blob/12.19.1 Python/3.11.8 (Linux-6.5.0-x86_64-with-glibc2.35)",
    ),
    "Storage: a user lists a container through the Azure CLI (UPN; IPv6 address with a port)": activity(
        STORAGE,
        "$:2",
        activity="list",
        delegations=[hop("on_behalf_of", DANA, AZURE_CLI, "event")],
        credentials=[cred(AZURE_CLI, "oauth_client", "used", AZURE_CLI)],
        time=us(2024, 5, 2, 10, 12, 30, 500000),
        class_name="data_access",
        operation="ListBlobs",
        status="success",
        status_detail="200: Success",
        actor_uid=DANA,
        actor_type="human",
        actor_name=DANA_UPN,
        session_uid="b2c3d4e5-701e-0043-4d80-adf94b000000",
        credential_uid=AZURE_CLI,
        target_uid=f"{BLOBS}/containers/exports",
        target_type="microsoft.storage/storageaccounts/blobservices/containers",
        target_name="exports",
        target_system="azure:microsoft.storage",
        resources=[res(BLOBS, "microsoft.storage/storageaccounts/blobservices", "azure:microsoft.storage"), app(AZURE_CLI)],
        src_ip="2001:db8:4a::17",
        user_agent="AZURECLI/2.60.0 azsdk-python-storage-blob/12.19.1 Python/3.11.8",
    ),
    "Storage: a SAS request is refused (no principal: the SAS, as its tokenHash names it)": activity(
        STORAGE,
        "$:3",
        activity="read",
        credentials=[cred(SAS_HASH, "other", "used", STORAGE_ACCOUNT, "shared access signature")],
        time=us(2024, 5, 2, 10, 13, 11),
        account_uid=None,
        class_name="data_access",
        operation="GetBlob",
        status="failure",
        status_detail="403: AuthorizationFailure",
        session_uid="c3d4e5f6-801e-0044-5e91-bef05c000000",
        credential_uid=SAS_HASH,
        target_uid=f"{BLOBS}/containers/exports/blobs/2024-05/customers.csv",
        target_type="microsoft.storage/storageaccounts/blobservices/containers/blobs",
        target_name="2024-05/customers.csv",
        target_system="azure:microsoft.storage",
        resources=[
            res(BLOBS, "microsoft.storage/storageaccounts/blobservices", "azure:microsoft.storage"),
            res(f"{BLOBS}/containers/exports", "microsoft.storage/storageaccounts/blobservices/containers", "azure:microsoft.storage"),
        ],
        src_ip="203.0.113.99",
        user_agent="curl/8.5.0",
    ),
    "Storage: a blob deleted with an account key (no principal; the quoted User-Agent unquoted)": activity(
        STORAGE,
        "$:4",
        activity="delete",
        credentials=[cred(ACCOUNT_KEY_HASH, "access_key", "used", STORAGE_ACCOUNT, "account key")],
        time=us(2024, 5, 2, 10, 14, 45, 250000),
        account_uid=None,
        class_name="data_access",
        operation="DeleteBlob",
        status="success",
        status_detail="202: Success",
        session_uid="d4e5f6a7-901e-0045-6fa2-cf016d000000",
        credential_uid=ACCOUNT_KEY_HASH,
        target_uid=f"{BLOBS}/containers/exports/blobs/2024-05/customers.csv",
        target_type="microsoft.storage/storageaccounts/blobservices/containers/blobs",
        target_name="2024-05/customers.csv",
        target_system="azure:microsoft.storage",
        resources=[
            res(BLOBS, "microsoft.storage/storageaccounts/blobservices", "azure:microsoft.storage"),
            res(f"{BLOBS}/containers/exports", "microsoft.storage/storageaccounts/blobservices/containers", "azure:microsoft.storage"),
        ],
        src_ip="192.0.2.44",
        user_agent="Azure-Storage/12.17.0 (.NET 8.0.4; Linux)",
    ),
    # --- revocation, app role grantee, federation (revocation.jsonl, Graph objects) -----------------
    "Graph: disabling the agent's service principal (AccountEnabled true -> false) ungrants": audit(
        REVOCATION,
        "$:1",
        event_uid="Directory_3a4b5c6d-7e8f-4a9b-8c0d-1e2f3a4b5c6d_D1S4B_318420001",
        activity="ungrant",
        time=us(2024, 5, 2, 12, 1, 15, 223000),
        account_uid=None,
        class_name="account_change",
        operation="Update service principal",
        status="success",
        actor_uid=DANA,
        actor_type="human",
        actor_name=DANA_UPN,
        target_uid=AGENT_SP,
        target_type="service_principal",
        target_name="agent-runner",
        src_ip="203.0.113.24",
        user_agent=UA_CHROME,
    ),
    "Graph: a client secret removed from the application (deleted, listed as a credential)": audit(
        REVOCATION,
        "$:2",
        event_uid="Directory_4b5c6d7e-8f9a-4b0c-9d1e-2f3a4b5c6d7e_R3M0V_318420102",
        activity="update",
        delegations=[hop("same_as", AGENT_APP, AGENT_APP_OBJECT, "standing")],
        credentials=[cred(AGENT_NEW_SECRET, "app_secret", "deleted", AGENT_APP_OBJECT, "agent-temp")],
        time=us(2024, 5, 2, 12, 2, 40, 500000),
        account_uid=None,
        class_name="account_change",
        operation="Update application – Certificates and secrets management ",
        status="success",
        actor_uid=DANA,
        actor_type="human",
        actor_name=DANA_UPN,
        target_uid=AGENT_APP_OBJECT,
        target_type="application",
        target_name="agent-runner",
        resources=[res(AGENT_NEW_SECRET, "credential", "entra")],
        src_ip="203.0.113.24",
        user_agent=UA_CHROME,
    ),
    "Graph: an app role on Microsoft Graph for the agent (the grantee from ServicePrincipal.ObjectID)": audit(
        REVOCATION,
        "$:3",
        event_uid="Directory_5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f_A9R0L_318420203",
        activity="grant",
        delegations=[hop("consent", DANA, AGENT_SP, "standing")],
        time=us(2024, 5, 2, 11, 58, 2, 681307),
        account_uid=None,
        class_name="account_change",
        operation="Add app role assignment to service principal",
        status="success",
        actor_uid=DANA,
        actor_type="human",
        actor_name=DANA_UPN,
        target_uid=GRAPH_SP,
        target_type="service_principal",
        target_name="Microsoft Graph",
        resources=[res(AGENT_SP, "service_principal", "entra")],
        src_ip="203.0.113.24",
        user_agent=UA_CHROME,
    ),
    "Graph: a user federated from Okta signs in (federate hop from the token issuer, event scope)": signin(
        REVOCATION,
        "$:4",
        event_uid="6e7f8a9b-0c1d-4e2f-8a3b-4c5d6e7f8a9b",
        activity="authenticate",
        delegations=[hop("on_behalf_of", SAM, TEAMS, "grant"), hop("federate", OKTA_ISSUER, SAM, "event")],
        credentials=[cred(TEAMS, "oauth_client", "used", TEAMS, "Microsoft Teams")],
        time=us(2024, 5, 2, 8, 55, 12),
        status="success",
        actor_uid=SAM,
        actor_type="human",
        actor_name="sam.okafor@contoso.example",
        session_uid="7f8a9b0c-1d2e-4f3a-9b4c-5d6e7f8a9b0c",
        credential_uid=TEAMS,
        target_uid=GRAPH,
        target_name="Microsoft Graph",
        resources=[app(TEAMS)],
        src_ip="192.0.2.44",
        user_agent=UA_CHROME,
    ),
    # --- Azure Activity log: a role assignment's Started record names its grantee ------------------
    "az CLI: a role assignment's request body (Started): grantee, role definition, scope": activity(
        ACTIVITY_CLI,
        "$[1]",
        activity="grant",
        delegations=[hop("same_as", AGENT_APP, AGENT_SP, "standing")],
        credentials=[cred(AGENT_APP, "oauth_client", "used", AGENT_APP)],
        event_uid="0d1e2f3a-4b5c-4d6e-9f7a-8b9c0d1e2f3a",
        time=us(2024, 5, 2, 10, 2, 44, 101775),
        class_name="account_change",
        operation="Microsoft.Authorization/roleAssignments/write",
        status="unknown",
        status_detail="Started",
        actor_uid=AGENT_SP,
        actor_type="service",
        session_uid="9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d",
        credential_uid=AGENT_APP,
        target_uid=f"/subscriptions/{SUB}/resourceGroups/rg-agents/providers/Microsoft.Authorization/roleAssignments/6b7c8d9e-0f1a-4b2c-8d3e-4f5a6b7c8d9e",
        target_type="microsoft.authorization/roleassignments",
        target_name="6b7c8d9e-0f1a-4b2c-8d3e-4f5a6b7c8d9e",
        target_system="azure:microsoft.authorization",
        resources=[
            res(f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6",
                "microsoft.authorization/roledefinitions", "azure:microsoft.authorization"),
            res(f"/subscriptions/{SUB}/resourceGroups/rg-agents", "microsoft.resources/resourcegroups", "azure:microsoft.resources"),
            res(SAM, "user", "entra"),
            app(AGENT_APP),
        ],
        src_ip="198.51.100.17",
    ),
}

COUNTS = {
    GRAPH_SIGNINS.name: (3, 3, 0, 0),
    SIGNIN_EXPORT.name: (4, 4, 0, 0),
    GRAPH_AUDITS.name: (2, 2, 0, 0),
    AUDIT_EXPORT.name: (1, 1, 0, 0),
    ACTIVITY_EXPORT.name: (2, 2, 0, 0),
    ACTIVITY_CLI.name: (2, 2, 0, 0),
    ACTIVITY_SDK.name: (1, 1, 0, 0),
    MIXED.name: (4, 2, 2, 0),  # the AKS kube-audit-admin record is routed to the k8s_audit loader
    "field-semantics.jsonl": (2, 2, 0, 0),  # test_entra_fields.py
    DELEGATION.name: (6, 6, 0, 0),
    KEYVAULT.name: (4, 4, 0, 0),
    STORAGE.name: (4, 4, 0, 0),
    REVOCATION.name: (4, 4, 0, 0),
}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory):
    return load(tmp_path_factory.mktemp("entra"), HERE)


def test_every_sample_file_is_detected_and_accounted_for(ingested) -> None:
    case, summary = ingested
    manifest = case.sql("SELECT file, source, read, loaded, quarantined, duplicates FROM manifest").to_dicts()
    got = {
        Path(m["file"]).name: (m["read"], m["loaded"], m["quarantined"], m["duplicates"]) for m in manifest
    }
    assert got == COUNTS, str(summary)
    assert {m["source"] for m in manifest} == {"entra"}
    sources = case.sql("SELECT source, count(*) AS n FROM events GROUP BY source ORDER BY source").to_dicts()
    assert sources == [
        {"source": "azure_activity", "n": 14},
        {"source": "entra_audit", "n": 11},
        {"source": "entra_signin", "n": 11},
        {"source": "k8s_audit", "n": 1},  # routed from the Azure Monitor export
    ]


def test_records_of_other_categories_are_quarantined_with_a_reason(ingested) -> None:
    case, _ = ingested
    lines = MIXED.read_text().splitlines()
    with pytest.raises(ValueError) as parse_error:
        json.loads(lines[3])
    got = [
        subset(q, {"evidence_offset": None, "source": None, "reason": None, "raw": None})
        for q in quarantine(case)
    ]
    assert got == [
        {
            "evidence_offset": 2,
            "source": "entra",
            "raw": lines[1],
            "reason": "Azure Monitor ProvisioningLogs record: not a sign-in, directory audit or Activity log record",
        },
        {
            "evidence_offset": 4,
            "source": "entra",
            "raw": lines[3],
            "reason": f"not valid JSON: {parse_error.value}",
        },
    ]


def test_an_aks_audit_record_in_an_azure_monitor_export_is_read_by_the_k8s_loader(ingested) -> None:
    """Routed record by record: the export's kube-audit-admin line is a Kubernetes audit Event (in
    properties.log), so it loads as k8s_audit beside the file's Entra rows, not quarantined."""
    case, _ = ingested
    got = one(case, "evidence_file = $f AND evidence_offset = 3", f=str(MIXED))
    expected = blank_row() | {
        "event_uid": "0f9e8d7c-6b5a-4948-8372-615049382716:ResponseComplete:2024-05-02T10:20:40.981203Z",
        "time": us(2024, 5, 2, 10, 20, 40, 981203), "source": "k8s_audit", "class_name": "api_activity",
        "operation": "create secrets", "activity": "create", "status": "success",
        "actor_uid": "dana.reyes@contoso.example", "actor_type": "human", "actor_name": "dana.reyes@contoso.example",
        "account_uid": "aks-agents", "target_uid": "namespaces/agents/secrets", "target_type": "secrets",
        "target_system": "k8s:aks-agents",
        "resources": [res("namespaces/agents/secrets", "secrets", "k8s:aks-agents")], "src_ip": "203.0.113.24",
        "evidence_file": str(MIXED), "evidence_offset": 3, "evidence_path": "$",
    }
    assert subset(got, expected) == expected


@pytest.mark.parametrize("name", list(CASES))
def test_case_row(ingested, name: str) -> None:
    case, _ = ingested
    expected = CASES[name]
    got = one(case, "event_uid = $id", id=expected["event_uid"])
    assert subset(got, expected) == expected


def test_raw_is_the_record_text(ingested) -> None:
    case, _ = ingested
    _, element = locate(SIGNIN_EXPORT, "$.records[2]")
    assert one(case, "event_uid = $id", id="9f0a1b2c-3d4e-4f5a-8b6c-7d8e9f0a1b06")["raw"] == element
    assert one(case, "event_uid = $id", id="2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d")[
        "raw"
    ] == ACTIVITY_SDK.read_text().rstrip("\n")


def test_the_same_principal_has_one_actor_uid_across_sources(ingested) -> None:
    """Sign-ins, audits and Activity records name a principal by its object id, whatever the shape."""
    case, _ = ingested
    got = case.sql("SELECT DISTINCT source FROM events WHERE actor_uid = $sp ORDER BY source", sp=AGENT_SP)[
        "source"
    ].to_list()
    assert got == ["azure_activity", "entra_audit", "entra_signin"]
    dana = case.sql("SELECT DISTINCT source FROM events WHERE actor_uid = $u ORDER BY source", u=DANA)[
        "source"
    ].to_list()
    assert dana == ["azure_activity", "entra_audit", "entra_signin"]


def test_exported_activity_record_is_stored_once_when_delivered_twice(tmp_path: Path) -> None:
    case, _ = load(tmp_path, ACTIVITY_EXPORT)
    again = tmp_path / "again.jsonl"
    again.write_text("\n".join(locate(ACTIVITY_EXPORT, f"$.records[{i}]")[1] for i in (0, 1)) + "\n")
    second = case.ingest([again], progress=False)
    assert (second.read, second.loaded, second.quarantined, second.duplicates) == (2, 0, 0, 2)


# --- detection ----------------------------------------------------------------------------------


def records_of(path: Path) -> list[object]:
    return sample_records(EvidenceItem(path))


@pytest.mark.parametrize("path", sorted(HERE.iterdir()), ids=lambda p: p.name)
def test_sniff_accepts_every_shape(path: Path) -> None:
    assert loaders.get("entra").sniff(records_of(path))


def test_sniff_rejects_look_alikes() -> None:
    sniff = loaders.get("entra").sniff
    aks = json.loads(MIXED.read_text().splitlines()[2])
    provisioning = json.loads(MIXED.read_text().splitlines()[1])
    cloudtrail = {
        "eventVersion": "1.09",
        "eventSource": "sts.amazonaws.com",
        "eventName": "AssumeRole",
        "awsRegion": "us-east-1",
        "eventTime": "2024-05-02T10:00:00Z",
        "eventID": "e1",
    }
    okta = {
        "uuid": "5e0bd5a8",
        "published": "2024-05-02T10:00:00.000Z",
        "eventType": "user.session.start",
        "version": "0",
        "actor": {"id": "00u1", "type": "User"},
    }
    gcp = {
        "insertId": "x",
        "logName": "projects/p/logs/cloudaudit.googleapis.com%2Factivity",
        "timestamp": "2024-05-02T10:00:00Z",
        "protoPayload": {"@type": "type.googleapis.com/google.cloud.audit.AuditLog"},
    }
    assert not sniff([aks, provisioning, cloudtrail, okta, gcp])


