"""CloudTrail loader: every shape CloudTrail arrives in, every userIdentity type, one whole row per case.

The samples in ``samples/cloudtrail/`` were written from AWS's documented record format (CloudTrail
userIdentity element, record contents, S3 data events, STS AssumeRole*, sign-in events, Insights,
``aws cloudtrail lookup-events``):

* ``<acct>_CloudTrail_<region>_<time>_<id>.json.gz``: an S3 delivery file, management and data events;
* ``<acct>_CloudTrail_<region>_<time>_<id>.json``: the same shape decompressed (sign-in, errors, Identity Center);
* ``<acct>_CloudTrail-Insight_...json.gz``: an Insights delivery file (events without userIdentity);
* ``events.jsonl``: one event per line, the remaining userIdentity types and STS federation;
* ``lookup-events.json`` / ``lookup-events.jsonl``: the CLI's PascalCase envelopes, as printed and one per line;
* ``reshipped.jsonl``: events a log shipper re-emitted with ``@timestamp`` instead of ``eventTime``;
* ``timestamps.jsonl``, ``types-vary.jsonl``: time formats and JSON types seen in the wild;
* ``no-event-id*.jsonl``: eventVersion 1.0 records without ``eventID``;
* ``damaged.jsonl``: a truncated line and a JSON line that is not CloudTrail, among good ones;
* ``iam-credentials.jsonl``: the life of the access key ``CreateAccessKey`` made in the S3 delivery file
  (deactivated, a denied reactivation, reactivated, used for GetSessionToken / GetFederationToken, deleted),
  AssumeRoot, a group grant and a login profile: the delegation and credential model.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from irkit import loaders
from irkit.evidence import EvidenceItem, sample_records
from tests.loaders.helpers import (
    CHECKED,
    SAMPLES,
    blank_row,
    cred,
    hop,
    load,
    one,
    quarantine,
    res,
    rows,
    subset,
)
from tests.loaders.helpers import utc as t

HERE = SAMPLES / "cloudtrail"
DELIVERY_GZ = HERE / "111122223333_CloudTrail_us-east-1_20250312T1005Z_Xk3sQ9bT2mLp7aZr.json.gz"
DELIVERY = HERE / "111122223333_CloudTrail_us-east-1_20250312T0945Z_Qm8WzR1cVb4Tn6Yd.json"
INSIGHTS = HERE / "111122223333_CloudTrail-Insight_us-east-1_20250312T1025Z_Hd2Kq7Vw9Zp3Lx5M.json.gz"
EVENTS = HERE / "events.jsonl"
LOOKUP = HERE / "lookup-events.json"
LOOKUP_LINES = HERE / "lookup-events.jsonl"
RESHIPPED = HERE / "reshipped.jsonl"
TIMESTAMPS = HERE / "timestamps.jsonl"
TYPES = HERE / "types-vary.jsonl"
NO_ID = HERE / "no-event-id.jsonl"
NO_ID_AGAIN = HERE / "no-event-id-again.jsonl"
DAMAGED = HERE / "damaged.jsonl"
CREDS = HERE / "iam-credentials.jsonl"

ACCT = "111122223333"
UA_BOTO = (
    "Boto3/1.34.62 md/Botocore#1.34.62 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.8 "
    "cfg/retry-mode#standard Botocore/1.34.62"
)
UA_CLI = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.ubuntu.22 prompt/off command/iam"
UA_FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0"
UA_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36"
)
UA_JS = "aws-sdk-js/3.535.0 ua/2.0 os/linux#6.5.0-1016-azure lang/js md/nodejs#20.11.1 api/"

AGENT = f"arn:aws:sts::{ACCT}:assumed-role/agent-runner/agent-7f3c"
AGENT_ROLE = f"arn:aws:iam::{ACCT}:role/agent-runner"
AGENT_KEY = "ASIAY34FZKBOKMUTVV7A"
READER = f"arn:aws:sts::{ACCT}:assumed-role/data-reader/agent-7f3c-reader"
READER_ROLE = f"arn:aws:iam::{ACCT}:role/data-reader"
READER_KEY = "ASIAY34FZKBOJWBQX3HE"
ALICE_SOURCE = {"uid": "alice@example.com", "type": "source_identity", "system": "aws:sts"}
OIDC = f"arn:aws:iam::{ACCT}:oidc-provider/token.actions.githubusercontent.com"
GHA = f"arn:aws:sts::{ACCT}:assumed-role/gha-deployer/GitHubActions"
GHA_ROLE = f"arn:aws:iam::{ACCT}:role/gha-deployer"
OKTA_ADMIN = f"arn:aws:sts::{ACCT}:assumed-role/okta-admin/alice@example.com"
PARTNER = f"arn:aws:sts::{ACCT}:assumed-role/partner-audit/audit-2025-03"

DEPLOY_BOT = f"arn:aws:iam::{ACCT}:user/deploy-bot"






def row(file: Path, offset: int, path: str, **columns: Any) -> dict[str, Any]:
    """A whole expected row: every column named, unnamed ones NULL (lists empty)."""
    expected: dict[str, Any] = blank_row()
    expected.update(source="cloudtrail", resources=[], account_uid=ACCT)
    expected.update(evidence_file=str(file), evidence_offset=offset, evidence_path=path)
    unknown = set(columns) - set(CHECKED)
    assert not unknown, f"not event columns: {unknown}"
    expected.update(columns)
    return expected


#: Every call of the agent-runner session proves the session is its role's and acts for its source identity.
AGENT_HOPS = [hop("session_of", AGENT_ROLE, AGENT, "standing"), hop("on_behalf_of", "alice@example.com", AGENT, "event")]
READER_HOPS = [hop("session_of", READER_ROLE, READER, "standing"),
               hop("on_behalf_of", "alice@example.com", READER, "event")]


def agent_call(**columns: Any) -> dict[str, Any]:
    """The columns every call of the agent-runner session shares."""
    shared: dict[str, Any] = dict(
        actor_uid=AGENT, actor_type="unknown", actor_name="agent-7f3c", session_uid=AGENT_KEY,
        credential_uid=AGENT_KEY, delegator_uid=AGENT_ROLE, src_ip="10.0.12.7", user_agent=UA_BOTO,
        resources=[ALICE_SOURCE], delegations=AGENT_HOPS, credentials=[cred(AGENT_KEY, "session_token", "used", AGENT)],
    )
    return shared | columns


def reader_call(**columns: Any) -> dict[str, Any]:
    shared: dict[str, Any] = dict(
        actor_uid=READER, actor_type="unknown", actor_name="agent-7f3c-reader", session_uid=READER_KEY,
        credential_uid=READER_KEY, delegator_uid=READER_ROLE, src_ip="10.0.12.7", delegations=READER_HOPS,
        credentials=[cred(READER_KEY, "session_token", "used", READER)],
    )
    return shared | columns


CASES: dict[str, dict[str, Any]] = {
    # --- S3 delivery file, gzip'd ---------------------------------------------------------------
    "IAMUser with a long-term key creates an access key": row(
        DELIVERY_GZ, 1, "$.Records[0]",
        event_uid="0f6a2b1e-3c4d-4e5f-8a9b-0c1d2e3f4a51", time=t(2025, 3, 12, 10, 1, 12),
        activity="create",
        credentials=[
            cred("AKIAIOSFODNN7EXAMPLE", "access_key", "used", DEPLOY_BOT),
            cred("AKIAI44QH8DHBEXAMPLE", "access_key", "created", f"arn:aws:iam::{ACCT}:user/svc-reporting"),
        ],
        class_name="account_change", operation="CreateAccessKey", status="success",
        actor_uid=f"arn:aws:iam::{ACCT}:user/deploy-bot", actor_type="unknown", actor_name="deploy-bot",
        credential_uid="AKIAIOSFODNN7EXAMPLE",
        target_uid=f"arn:aws:iam::{ACCT}:user/svc-reporting", target_type="iam_user", target_name="svc-reporting",
        target_system="aws:iam", resources=[res("AKIAI44QH8DHBEXAMPLE", "credential", "aws:iam")],
        src_ip="198.51.100.23", user_agent=UA_CLI + ".create-access-key",
    ),
    "AssumedRole session assumes a role with sourceIdentity": row(
        DELIVERY_GZ, 1, "$.Records[1]",
        **agent_call(
            event_uid="7d3e9a10-2b4c-4d6e-8f01-a2b3c4d5e6f7", time=t(2025, 3, 12, 10, 2, 40),
            activity="authenticate",
            delegations=[
                hop("assume_role", AGENT, READER, "grant", READER_KEY, t(2025, 3, 12, 10, 17, 40)),
                READER_HOPS[0],
                hop("on_behalf_of", "alice@example.com", READER, "standing"),
                *AGENT_HOPS,
            ],
            credentials=[
                cred(AGENT_KEY, "session_token", "used", AGENT),
                cred(READER_KEY, "session_token", "issued", READER, expires=t(2025, 3, 12, 10, 17, 40)),
            ],
            class_name="authentication", operation="AssumeRole", status="success",
            target_uid=READER_ROLE, target_type="iam_role", target_name="data-reader", target_system="aws:sts",
        )
        | {"resources": [
            res(READER_ROLE, "iam_role", "aws:iam"),
            res(READER_KEY, "credential", "aws:sts"),
            res(READER, "iam_role_session", "aws:sts"),
            ALICE_SOURCE,
        ]},
    ),
    "AssumedRole with an empty sessionIssuer lists buckets": row(
        DELIVERY_GZ, 1, "$.Records[2]",
        **agent_call(
            event_uid="3b8f5c21-6d7e-4f80-9a1b-2c3d4e5f6a72", time=t(2025, 3, 12, 10, 2, 5),
            activity="list", delegations=[],
            class_name="api_activity", operation="ListBuckets", status="success", target_system="aws:s3",
        )
        | {"delegator_uid": None, "resources": [], "user_agent": f"[{UA_BOTO}]"},
    ),
    "S3 GetObject data event": row(
        DELIVERY_GZ, 1, "$.Records[3]",
        **reader_call(
            event_uid="c4a9e6d2-8b1f-4c3e-a5d7-9f0e1b2c3d84", time=t(2025, 3, 12, 10, 3, 11),
            activity="read",
            class_name="data_access", operation="GetObject", status="success",
            target_uid="arn:aws:s3:::acme-customer-exports/2025/03/customers.csv", target_type="s3_object",
            target_name="2025/03/customers.csv", target_system="aws:s3", user_agent=f"[{UA_BOTO}]",
            resources=[
                res("arn:aws:s3:::acme-customer-exports/2025/03/customers.csv", "s3_object", "aws:s3"),
                res("arn:aws:s3:::acme-customer-exports", "s3_bucket", "aws:s3"),
                ALICE_SOURCE,
            ],
        ),
    ),
    "S3 PutObject data event": row(
        DELIVERY_GZ, 1, "$.Records[4]",
        **reader_call(
            event_uid="e5b0f7a3-9c2d-4e1f-b6a8-0d1e2f3a4b95", time=t(2025, 3, 12, 10, 4, 37),
            activity="create",
            class_name="data_access", operation="PutObject", status="success",
            target_uid="arn:aws:s3:::acme-agent-scratch/out/customers.csv.gz", target_type="s3_object",
            target_name="out/customers.csv.gz", target_system="aws:s3", user_agent=f"[{UA_BOTO}]",
            resources=[
                res("arn:aws:s3:::acme-agent-scratch/out/customers.csv.gz", "s3_object", "aws:s3"),
                res("arn:aws:s3:::acme-agent-scratch", "s3_bucket", "aws:s3"),
                ALICE_SOURCE,
            ],
        ),
    ),
    # --- S3 delivery file, not gzip'd -----------------------------------------------------------
    "Root signs in to the console": row(
        DELIVERY, 1, "$.Records[0]",
        event_uid="1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c01", time=t(2025, 3, 12, 8, 15, 40),
        activity="authenticate",
        class_name="authentication", operation="ConsoleLogin", status="success",
        actor_uid=f"arn:aws:iam::{ACCT}:root", actor_type="human", actor_name="root",
        target_system="aws:signin", src_ip="203.0.113.50", user_agent=UA_FIREFOX,
    ),
    "IAMUser fails to sign in (no arn in the record)": row(
        DELIVERY, 1, "$.Records[1]",
        event_uid="1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c02", time=t(2025, 3, 12, 8, 14, 2),
        activity="authenticate",
        class_name="authentication", operation="ConsoleLogin", status="failure", status_detail="Failed authentication",
        actor_uid=f"arn:aws:iam::{ACCT}:user/dana", actor_type="unknown", actor_name="dana",
        target_system="aws:signin", src_ip="203.0.113.77", user_agent=UA_CHROME,
    ),
    "sign-in with a mistyped user name (HIDDEN_DUE_TO_SECURITY_REASONS)": row(
        DELIVERY, 1, "$.Records[2]",
        event_uid="1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c03", time=t(2025, 3, 12, 8, 14, 31),
        activity="authenticate",
        class_name="authentication", operation="ConsoleLogin", status="failure", status_detail="Failed authentication",
        actor_uid=ACCT, actor_type="unknown", target_system="aws:signin", src_ip="203.0.113.77", user_agent=UA_CHROME,
    ),
    "error: errorCode and errorMessage": row(
        DELIVERY, 1, "$.Records[3]",
        **agent_call(
            event_uid="4f5e6d7c-8b9a-4c0d-9e1f-2a3b4c5d6e07", time=t(2025, 3, 12, 10, 6, 58),
            activity="create", delegations=AGENT_HOPS[:1],
            class_name="account_change", operation="CreateUser", status="failure",
            status_detail=(
                f"AccessDenied: User: {AGENT} is not authorized to perform: iam:CreateUser on resource: "
                f"arn:aws:iam::{ACCT}:user/backup-admin because no identity-based policy allows the iam:CreateUser action"
            ),
            target_system="aws:iam",
        )
        | {"resources": []},
    ),
    "IdentityCenterUser (onBehalfOf, bearer credentialId)": row(
        DELIVERY, 1, "$.Records[4]",
        event_uid="6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c08", time=t(2025, 3, 12, 9, 41, 19),
        activity="list",
        credentials=[
            cred("EXAMPLEVHULjJdTUdPJfofVa1sufHDoj7aYcOYcxFVllWR_Whr1fEXAMPLE", "oauth_token", "used",
                 "94482488-3041-7026-18f3-be45837cd0e4"),
        ],
        class_name="api_activity", operation="ListApplications", status="success",
        actor_uid="94482488-3041-7026-18f3-be45837cd0e4", actor_type="human",
        credential_uid="EXAMPLEVHULjJdTUdPJfofVa1sufHDoj7aYcOYcxFVllWR_Whr1fEXAMPLE",
        target_system="aws:sso", src_ip="203.0.113.50", user_agent=UA_FIREFOX,
    ),
    "Unknown identity type": row(
        DELIVERY, 1, "$.Records[5]",
        event_uid="6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c09", time=t(2025, 3, 12, 9, 40, 57),
        activity="authenticate",
        class_name="api_activity", operation="UserAuthentication", status="success",
        actor_uid="dana@example.com", actor_type="unknown", actor_name="dana@example.com",
        target_system="aws:signin", src_ip="203.0.113.50", user_agent=UA_FIREFOX,
    ),
    # --- Insights delivery file -----------------------------------------------------------------
    "Insight start (no userIdentity)": row(
        INSIGHTS, 1, "$.Records[0]",
        event_uid="9d0e1f2a-3b4c-4d5e-8f6a-7b8c9d0e1f21", time=t(2025, 3, 12, 10, 6),
        activity="other",
        class_name="insight", operation="GetObject", status="unknown", status_detail="ApiCallRateInsight Start",
        target_system="aws:s3",
    ),
    "Insight end": row(
        INSIGHTS, 1, "$.Records[1]",
        event_uid="9d0e1f2a-3b4c-4d5e-8f6a-7b8c9d0e1f22", time=t(2025, 3, 12, 10, 21),
        activity="other",
        class_name="insight", operation="GetObject", status="unknown", status_detail="ApiCallRateInsight End",
        target_system="aws:s3",
    ),
    # --- one event per line ---------------------------------------------------------------------
    "AWSService (invokedBy)": row(
        EVENTS, 1, "$",
        event_uid="8c9d0e1f-2a3b-4c4d-9e5f-6a7b8c9d0e11", time=t(2025, 3, 12, 10, 5, 2),
        activity="read",
        class_name="api_activity", operation="Decrypt", status="success",
        actor_uid="secretsmanager.amazonaws.com", actor_type="service", actor_name="secretsmanager.amazonaws.com",
        target_uid=f"arn:aws:kms:us-east-1:{ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        target_type="AWS::KMS::Key", target_name="1234abcd-12ab-34cd-56ef-1234567890ab", target_system="aws:kms",
        resources=[res(f"arn:aws:kms:us-east-1:{ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab", "AWS::KMS::Key", "aws:kms")],
        # sourceIPAddress names the service, not an address: it goes to src_service
        src_service="secretsmanager.amazonaws.com", user_agent="secretsmanager.amazonaws.com",
    ),
    "Role identity": row(
        EVENTS, 2, "$",
        event_uid="8c9d0e1f-2a3b-4c4d-9e5f-6a7b8c9d0e12", time=t(2025, 3, 12, 10, 5, 3),
        activity="read",
        class_name="api_activity", operation="GetSecretValue", status="success",
        actor_uid=f"arn:aws:iam::{ACCT}:role/agent-gateway", actor_type="unknown", actor_name="agent-gateway",
        target_uid=f"arn:aws:secretsmanager:us-east-1:{ACCT}:secret:prod/warehouse-Xy12Ab",
        target_type="secretsmanager_secret", target_name="warehouse-Xy12Ab",
        target_system="aws:secretsmanager", src_ip="10.0.40.9", user_agent=UA_BOTO,
    ),
    "FederatedUser (GetFederationToken session)": row(
        EVENTS, 3, "$",
        event_uid="8c9d0e1f-2a3b-4c4d-9e5f-6a7b8c9d0e13", time=t(2025, 3, 12, 10, 5, 4),
        activity="read",
        credentials=[
            cred("ASIAY34FZKBOFEDEXMPL", "session_token", "used", f"arn:aws:sts::{ACCT}:federated-user/alice"),
        ],
        class_name="api_activity", operation="DescribeInstances", status="success",
        actor_uid=f"arn:aws:sts::{ACCT}:federated-user/alice", actor_type="unknown", actor_name="alice",
        session_uid="ASIAY34FZKBOFEDEXMPL", credential_uid="ASIAY34FZKBOFEDEXMPL",
        delegator_uid=f"arn:aws:iam::{ACCT}:user/sso-broker",
        target_system="aws:ec2", src_ip="203.0.113.50", user_agent="aws-cli/2.15.30",
    ),
    "WebIdentityUser assumes a role (GitHub OIDC)": row(
        EVENTS, 4, "$",
        event_uid="8c9d0e1f-2a3b-4c4d-9e5f-6a7b8c9d0e14", time=t(2025, 3, 12, 10, 5, 5),
        activity="authenticate",
        delegations=[
            hop("federate", "repo:acme/agent-tools:ref:refs/heads/main", GHA, "grant", "ASIAY34FZKBOGHAEXMPL",
                t(2025, 3, 12, 11, 5, 5)),
            hop("session_of", GHA_ROLE, GHA, "standing"),
        ],
        credentials=[
            cred("ASIAY34FZKBOGHAEXMPL", "session_token", "issued", GHA, expires=t(2025, 3, 12, 11, 5, 5)),
        ],
        class_name="authentication", operation="AssumeRoleWithWebIdentity", status="success",
        actor_uid="repo:acme/agent-tools:ref:refs/heads/main", actor_type="unknown",
        actor_name="repo:acme/agent-tools:ref:refs/heads/main", delegator_uid=OIDC,
        target_uid=f"arn:aws:iam::{ACCT}:role/gha-deployer", target_type="iam_role", target_name="gha-deployer",
        target_system="aws:sts",
        resources=[
            res(f"arn:aws:iam::{ACCT}:role/gha-deployer", "iam_role", "aws:iam"),
            res("ASIAY34FZKBOGHAEXMPL", "credential", "aws:sts"),
            res(GHA, "iam_role_session", "aws:sts"),
        ],
        src_ip="192.0.2.200", user_agent=UA_JS + "sts#3.535.0",
    ),
    "AssumedRole session from web identity (webIdFederationData)": row(
        EVENTS, 5, "$",
        event_uid="8c9d0e1f-2a3b-4c4d-9e5f-6a7b8c9d0e15", time=t(2025, 3, 12, 10, 5, 48),
        activity="update",
        delegations=[
            hop("session_of", GHA_ROLE, GHA, "standing"),
        ],
        credentials=[
            cred("ASIAY34FZKBOGHAEXMPL", "session_token", "used", GHA),
        ],
        class_name="api_activity", operation="UpdateFunctionCode20150331v2", status="success",
        actor_uid=GHA, actor_type="unknown",
        actor_name="GitHubActions", session_uid="ASIAY34FZKBOGHAEXMPL", credential_uid="ASIAY34FZKBOGHAEXMPL",
        delegator_uid=f"arn:aws:iam::{ACCT}:role/gha-deployer",
        # the function the request names (requestParameters.functionName), its ARN built (targets table)
        target_uid=f"arn:aws:lambda:us-east-1:{ACCT}:function:agent-tools", target_type="lambda_function",
        target_name="agent-tools",
        target_system="aws:lambda", src_ip="192.0.2.200", user_agent=UA_JS + "lambda#3.535.0",
    ),
    "SAMLUser assumes a role": row(
        EVENTS, 6, "$",
        event_uid="8c9d0e1f-2a3b-4c4d-9e5f-6a7b8c9d0e16", time=t(2025, 3, 12, 9, 30),
        activity="authenticate",
        delegations=[
            hop("federate", "alice@example.com", OKTA_ADMIN, "grant", "ASIAY34FZKBOSAMLEXPL",
                t(2025, 3, 12, 10, 30)),
            hop("session_of", f"arn:aws:iam::{ACCT}:role/okta-admin", OKTA_ADMIN, "standing"),
        ],
        credentials=[
            cred("ASIAY34FZKBOSAMLEXPL", "session_token", "issued", OKTA_ADMIN, expires=t(2025, 3, 12, 10, 30)),
        ],
        class_name="authentication", operation="AssumeRoleWithSAML", status="success",
        actor_uid="alice@example.com", actor_type="human", actor_name="alice@example.com",
        delegator_uid=f"arn:aws:iam::{ACCT}:saml-provider/Okta",
        target_uid=f"arn:aws:iam::{ACCT}:role/okta-admin", target_type="iam_role", target_name="okta-admin",
        target_system="aws:sts",
        resources=[
            res(f"arn:aws:iam::{ACCT}:role/okta-admin", "iam_role", "aws:iam"),
            res(f"arn:aws:iam::{ACCT}:saml-provider/Okta", "AWS::IAM::SAMLProvider", "aws:iam"),
            res("ASIAY34FZKBOSAMLEXPL", "credential", "aws:sts"),
            res(OKTA_ADMIN, "iam_role_session", "aws:sts"),
        ],
        src_ip="203.0.113.50", user_agent=UA_FIREFOX,
    ),
    "AWSAccount assumes a role with requestParameters.sourceIdentity": row(
        EVENTS, 7, "$",
        event_uid="8c9d0e1f-2a3b-4c4d-9e5f-6a7b8c9d0e17", time=t(2025, 3, 12, 10, 5, 7),
        activity="authenticate",
        delegations=[
            hop("assume_role", "AIDAJ45Q7YFFAREXAMPLE", PARTNER, "grant", "ASIAY34FZKBOXACCTEXM",
                t(2025, 3, 12, 11, 5, 7)),
            hop("session_of", f"arn:aws:iam::{ACCT}:role/partner-audit", PARTNER, "standing"),
            hop("on_behalf_of", "bob@partner.example", PARTNER, "standing"),
        ],
        credentials=[
            cred("ASIAY34FZKBOXACCTEXM", "session_token", "issued", PARTNER, expires=t(2025, 3, 12, 11, 5, 7)),
        ],
        class_name="authentication", operation="AssumeRole", status="success",
        actor_uid="AIDAJ45Q7YFFAREXAMPLE", actor_type="unknown",
        target_uid=f"arn:aws:iam::{ACCT}:role/partner-audit", target_type="iam_role", target_name="partner-audit",
        target_system="aws:sts",
        resources=[
            res(f"arn:aws:iam::{ACCT}:role/partner-audit", "iam_role", "aws:iam"),
            res("ASIAY34FZKBOXACCTEXM", "credential", "aws:sts"),
            res(PARTNER, "iam_role_session", "aws:sts"),
            res("bob@partner.example", "source_identity", "aws:sts"),
        ],
        src_ip="198.51.100.140", user_agent="aws-cli/2.15.30",
    ),
    # --- aws cloudtrail lookup-events -------------------------------------------------------------
    "lookup-events envelope (Resources beside the event)": row(
        LOOKUP, 3, "$.Events[0]",
        **agent_call(
            event_uid="ad1e2f3a-4b5c-4d6e-9f7a-8b9c0d1e2f31", time=t(2025, 3, 12, 10, 7, 30),
            activity="update",
            class_name="api_activity", operation="StopLogging", status="success",
            target_uid=f"arn:aws:cloudtrail:us-east-1:{ACCT}:trail/org-trail", target_type="cloudtrail_trail",
            target_name="org-trail", target_system="aws:cloudtrail",
        )
        | {"resources": [ALICE_SOURCE,
                         res(f"arn:aws:cloudtrail:us-east-1:{ACCT}:trail/org-trail", "AWS::CloudTrail::Trail", "aws:cloudtrail")]},
    ),
    "lookup-events objects one per line": row(
        LOOKUP_LINES, 1, "$",
        event_uid="ad1e2f3a-4b5c-4d6e-9f7a-8b9c0d1e2f32", time=t(2025, 3, 12, 9, 58, 44),
        activity="grant", credentials=[cred("AKIAIOSFODNN7EXAMPLE", "access_key", "used", DEPLOY_BOT)],
        class_name="account_change", operation="AttachRolePolicy", status="success",
        actor_uid=f"arn:aws:iam::{ACCT}:user/deploy-bot", actor_type="unknown", actor_name="deploy-bot",
        credential_uid="AKIAIOSFODNN7EXAMPLE",
        target_uid=AGENT_ROLE, target_type="iam_role", target_name="agent-runner", target_system="aws:iam",
        resources=[res("arn:aws:iam::aws:policy/AdministratorAccess", "iam_policy", "aws:iam")],
        src_ip="198.51.100.23", user_agent=UA_CLI + ".attach-role-policy",
    ),
    "lookup-events with ReadOnly 'true' and no Resources": row(
        LOOKUP_LINES, 2, "$",
        **agent_call(
            event_uid="ad1e2f3a-4b5c-4d6e-9f7a-8b9c0d1e2f33", time=t(2025, 3, 12, 9, 55, 10),
            activity="read",
            class_name="api_activity", operation="GetCallerIdentity", status="success", target_system="aws:sts",
        ),
    ),
    # --- re-shipped by a log shipper --------------------------------------------------------------
    "re-shipped with an ISO @timestamp": row(
        RESHIPPED, 1, "$",
        event_uid="be2f3a4b-5c6d-4e7f-8a9b-0c1d2e3f4a61", time=t(2025, 3, 12, 10, 8, 0, 123000),
        activity="read",
        class_name="api_activity", operation="DescribeSecret", status="success",
        actor_uid=f"arn:aws:iam::{ACCT}:role/agent-gateway", actor_type="unknown", actor_name="agent-gateway",
        target_uid=f"arn:aws:secretsmanager:us-east-1:{ACCT}:secret:prod/warehouse-Xy12Ab",
        target_type="secretsmanager_secret", target_name="warehouse-Xy12Ab",
        target_system="aws:secretsmanager", src_ip="10.0.40.9", user_agent=UA_BOTO,
    ),
    "re-shipped with an epoch-milliseconds @timestamp": row(
        RESHIPPED, 2, "$",
        event_uid="be2f3a4b-5c6d-4e7f-8a9b-0c1d2e3f4a62", time=t(2025, 3, 12, 10, 8, 1),
        activity="list",
        class_name="api_activity", operation="ListSecrets", status="success",
        actor_uid=f"arn:aws:iam::{ACCT}:role/agent-gateway", actor_type="unknown", actor_name="agent-gateway",
        target_system="aws:secretsmanager", src_ip="10.0.40.9", user_agent=UA_BOTO,
    ),
    # --- JSON types that vary between records -------------------------------------------------
    "readOnly as a boolean, accountId as a number": row(
        TYPES, 1, "$",
        **reader_call(
            event_uid="d04b5c6d-7e8f-4a9b-8c1d-2e3f4a5b6c81", time=t(2025, 3, 12, 10, 50),
            activity="read",
            class_name="data_access", operation="GetObject", status="success",
            target_uid="arn:aws:s3:::acme-customer-exports/2025/03/customers.csv", target_type="s3_object",
            target_name="2025/03/customers.csv", target_system="aws:s3", user_agent=f"[{UA_BOTO}]",
            resources=[
                res("arn:aws:s3:::acme-customer-exports/2025/03/customers.csv", "s3_object", "aws:s3"),
                res("arn:aws:s3:::acme-customer-exports", "s3_bucket", "aws:s3"),
                ALICE_SOURCE,
            ],
        ),
    ),
    "requestParameters as a string, numbers as strings, resources null": row(
        TYPES, 2, "$",
        **reader_call(
            event_uid="d04b5c6d-7e8f-4a9b-8c1d-2e3f4a5b6c82", time=t(2025, 3, 12, 10, 50, 1),
            activity="read",
            class_name="data_access", operation="GetObject", status="success",
            target_system="aws:s3", user_agent=f"[{UA_BOTO}]", resources=[ALICE_SOURCE],
        ),
    ),
    "readOnly as a string, a number where a string is expected": row(
        TYPES, 3, "$",
        **reader_call(
            event_uid="d04b5c6d-7e8f-4a9b-8c1d-2e3f4a5b6c83", time=t(2025, 3, 12, 10, 50, 2),
            activity="read",
            class_name="data_access", operation="GetObject", status="success",
            target_uid="arn:aws:s3:::acme-customer-exports/20250312", target_type="s3_object",
            target_name="20250312", target_system="aws:s3", user_agent=f"[{UA_BOTO}]",
            resources=[res("arn:aws:s3:::acme-customer-exports/20250312", "s3_object", "aws:s3"), ALICE_SOURCE],
        ),
    ),
}

#: Per file: read, loaded, quarantined, duplicates when the whole sample folder is ingested at once.
COUNTS = {
    DELIVERY_GZ.name: (5, 5, 0, 0),
    DELIVERY.name: (6, 6, 0, 0),
    INSIGHTS.name: (2, 2, 0, 0),
    EVENTS.name: (7, 7, 0, 0),
    LOOKUP.name: (2, 1, 0, 1),  # the CreateAccessKey event is also in the S3 delivery file
    LOOKUP_LINES.name: (2, 2, 0, 0),
    RESHIPPED.name: (2, 2, 0, 0),
    TIMESTAMPS.name: (7, 7, 0, 0),
    TYPES.name: (3, 3, 0, 0),
    NO_ID_AGAIN.name: (2, 2, 0, 0),
    NO_ID.name: (1, 0, 0, 1),  # the same record, read first from no-event-id-again.jsonl
    "targets.jsonl": (119, 119, 0, 0),  # test_cloudtrail_targets.py
    "field-semantics.jsonl": (6, 6, 0, 0),  # test_cloudtrail_fields.py
    "agentcore-gateway.jsonl": (2, 2, 0, 0),  # test_cloudtrail_fields.py
    DAMAGED.name: (4, 2, 2, 0),
    CREDS.name: (9, 9, 0, 0),
}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory):
    return load(tmp_path_factory.mktemp("cloudtrail"), HERE)


def test_every_sample_file_is_detected_and_accounted_for(ingested) -> None:
    case, summary = ingested
    manifest = case.sql("SELECT file, source, read, loaded, quarantined, duplicates FROM manifest").to_dicts()
    got = {Path(m["file"]).name: (m["read"], m["loaded"], m["quarantined"], m["duplicates"]) for m in manifest}
    assert got == COUNTS, str(summary)
    assert {m["source"] for m in manifest} == {"cloudtrail"}


def test_only_the_damaged_lines_are_quarantined(ingested) -> None:
    case, _ = ingested
    truncated = DAMAGED.read_text().splitlines()[1]
    with pytest.raises(ValueError) as parse_error:
        json.loads(truncated)
    got = [subset(q, {"evidence_file": None, "evidence_offset": None, "evidence_path": None, "source": None,
                      "reason": None, "raw": None}) for q in quarantine(case)]
    assert got == [
        {"evidence_file": str(DAMAGED), "evidence_offset": 2, "evidence_path": "$", "source": "cloudtrail",
         "reason": f"not valid JSON: {parse_error.value}", "raw": truncated},
        {"evidence_file": str(DAMAGED), "evidence_offset": 4, "evidence_path": "$", "source": "cloudtrail",
         "reason": "no eventName: not a CloudTrail event", "raw": DAMAGED.read_text().splitlines()[3]},
    ]
    loaded = rows(case, "evidence_file = $f", f=str(DAMAGED))
    assert [(r["evidence_offset"], r["event_uid"]) for r in loaded] == [
        (1, "e15c6d7e-8f9a-4b0c-9d1e-2f3a4b5c6d91"),
        (3, "e15c6d7e-8f9a-4b0c-9d1e-2f3a4b5c6d93"),
    ]


@pytest.mark.parametrize("name", list(CASES))
def test_case_row(ingested, name: str) -> None:
    case, _ = ingested
    expected = CASES[name]
    got = one(case, "event_uid = $id", id=expected["event_uid"])
    assert subset(got, expected) == expected


def test_raw_is_the_record_text(ingested) -> None:
    case, _ = ingested
    line = EVENTS.read_text().splitlines()[3]
    assert one(case, "event_uid = $id", id="8c9d0e1f-2a3b-4c4d-9e5f-6a7b8c9d0e14")["raw"] == line
    envelope = json.loads(LOOKUP.read_text())["Events"][0]
    stored = json.loads(one(case, "event_uid = $id", id=envelope["EventId"])["raw"])
    assert stored == envelope, "lookup-events keeps the whole envelope as raw"


STAMPS = [
    ("Z", t(2025, 3, 12, 10, 40, 0)),
    ("+11:00 offset", t(2025, 3, 12, 10, 40, 1)),
    ("space-separated, no zone", t(2025, 3, 12, 10, 40, 2)),
    ("1 fraction digit", t(2025, 3, 12, 10, 40, 3, 500000)),
    ("6 fraction digits", t(2025, 3, 12, 10, 40, 4, 123456)),
    ("9 fraction digits, -05:30 offset", t(2025, 3, 12, 10, 40, 5, 123456)),
    ("2 fraction digits, +00:00", t(2025, 3, 12, 10, 40, 6, 120000)),
]


@pytest.mark.parametrize(("line", "form", "utc"), [(i + 1, form, utc) for i, (form, utc) in enumerate(STAMPS)],
                         ids=[form for form, _ in STAMPS])
def test_timestamp_forms_become_utc(ingested, line: int, form: str, utc: datetime) -> None:
    case, _ = ingested
    expected = row(
        TIMESTAMPS, line, "$",
        **agent_call(event_uid=f"cf3a4b5c-6d7e-4f8a-9b0c-1d2e3f4a5b{69 + line}", time=utc,
                     class_name="api_activity", operation="GetCallerIdentity", status="success", target_system="aws:sts",
                     activity="read"),
    )
    got = one(case, "event_uid = $id", id=expected["event_uid"])
    assert subset(got, expected) == expected, form


def test_record_without_event_id_gets_a_stable_hash(tmp_path: Path) -> None:
    line = NO_ID.read_text().splitlines()[0]
    digest = hashlib.sha256(line.encode()).hexdigest()
    case, first = load(tmp_path, NO_ID)
    assert (first.read, first.loaded, first.quarantined, first.duplicates) == (1, 1, 0, 0)
    expected = row(
        NO_ID, 1, "$",
        event_uid=digest, time=t(2014, 3, 6, 21, 1, 59), class_name="api_activity", operation="StopInstances",
        status="success", actor_uid=f"arn:aws:iam::{ACCT}:user/deploy-bot", actor_type="unknown",
        actor_name="deploy-bot", credential_uid="AKIAIOSFODNN7EXAMPLE", target_system="aws:ec2",
        target_uid=f"arn:aws:ec2:us-east-2:{ACCT}:instance/i-ebeaf9e2", target_type="ec2_instance", target_name="i-ebeaf9e2",
        src_ip="198.51.100.23", user_agent="ec2-api-tools 1.6.12.2", activity="update",
        credentials=[cred("AKIAIOSFODNN7EXAMPLE", "access_key", "used", DEPLOY_BOT)],
    )
    assert subset(one(case, "true"), expected) == expected
    # Another file delivering the same record again: same hash, stored once.
    again = case.ingest([NO_ID_AGAIN], progress=False)
    assert (again.read, again.loaded, again.quarantined, again.duplicates) == (2, 1, 0, 1)
    assert case.sql("SELECT count(*) AS n FROM events WHERE event_uid = $d", d=digest)["n"][0] == 1


def test_lookup_events_and_s3_delivery_of_one_event_are_stored_once(tmp_path: Path) -> None:
    case, _ = load(tmp_path, DELIVERY_GZ)
    later = case.ingest([LOOKUP], progress=False)
    assert (later.read, later.loaded, later.quarantined, later.duplicates) == (2, 1, 0, 1)
    kept = one(case, "event_uid = $id", id="0f6a2b1e-3c4d-4e5f-8a9b-0c1d2e3f4a51")
    assert kept["evidence_file"] == str(DELIVERY_GZ)


def test_lookup_events_resources_add_to_the_event_without_repeating_it(tmp_path: Path) -> None:
    """The envelope names the created key (already a 'credential' from responseElements) and the target user
    by its bare name (already the target): neither is listed twice."""
    case, _ = load(tmp_path, LOOKUP)
    expected = row(
        LOOKUP, 19, "$.Events[1]",
        event_uid="0f6a2b1e-3c4d-4e5f-8a9b-0c1d2e3f4a51", time=t(2025, 3, 12, 10, 1, 12),
        activity="create",
        credentials=[
            cred("AKIAIOSFODNN7EXAMPLE", "access_key", "used", DEPLOY_BOT),
            cred("AKIAI44QH8DHBEXAMPLE", "access_key", "created", f"arn:aws:iam::{ACCT}:user/svc-reporting"),
        ],
        class_name="account_change", operation="CreateAccessKey", status="success",
        actor_uid=f"arn:aws:iam::{ACCT}:user/deploy-bot", actor_type="unknown", actor_name="deploy-bot",
        credential_uid="AKIAIOSFODNN7EXAMPLE",
        target_uid=f"arn:aws:iam::{ACCT}:user/svc-reporting", target_type="iam_user", target_name="svc-reporting",
        target_system="aws:iam", resources=[res("AKIAI44QH8DHBEXAMPLE", "credential", "aws:iam")],
        src_ip="198.51.100.23", user_agent=UA_CLI + ".create-access-key",
    )
    assert subset(one(case, "event_uid = $id", id=expected["event_uid"]), expected) == expected


def records_of(path: Path) -> list[object]:
    return sample_records(EvidenceItem(path))


@pytest.mark.parametrize("path", sorted(HERE.iterdir()), ids=lambda p: p.name)
def test_sniff_accepts_every_shape(path: Path) -> None:
    assert loaders.get("cloudtrail").sniff(records_of(path))


def test_sniff_accepts_an_insights_only_file() -> None:
    records = records_of(INSIGHTS)
    assert all("userIdentity" not in r and "eventName" not in r for r in records)  # type: ignore[operator]
    assert loaders.get("cloudtrail").sniff(records)


def test_sniff_rejects_look_alikes() -> None:
    sniff = loaders.get("cloudtrail").sniff
    eventbridge = {"version": "0", "id": "6f1e", "detail-type": "AWS API Call via CloudTrail", "source": "aws.s3",
                   "account": ACCT, "time": "2025-03-12T10:03:11Z", "region": "us-east-1", "resources": [],
                   "detail": {"eventSource": "s3.amazonaws.com", "eventName": "GetObject"}}
    okta = {"uuid": "5e0bd5a8", "published": "2025-03-12T10:00:00.000Z", "eventType": "user.session.start",
            "version": "0", "actor": {"id": "00u1", "type": "User"}}
    heartbeat = json.loads(DAMAGED.read_text().splitlines()[3])
    assert not sniff([okta, heartbeat])
    assert sniff([eventbridge]), "EventBridge's CloudTrail events are CloudTrail"
    assert not sniff([{**eventbridge, "detail-type": "EC2 Instance State-change Notification"}])


def _eventbridge(event: dict, detail_type: str = "AWS API Call via CloudTrail") -> dict:
    """An event as EventBridge delivers it: the CloudTrail record in ``detail`` (EventBridge's own id)."""
    return {"version": "0", "id": "6f3c1d2e-8a4b-4c5d-9e6f-7a8b9c0d1e2f", "detail-type": detail_type,
            "source": "aws." + event["eventSource"].split(".")[0], "account": event["recipientAccountId"],
            "time": event["eventTime"], "region": event["awsRegion"], "resources": [], "detail": event}


def test_eventbridge_events_are_unwrapped_and_dedup_with_s3_delivery(tmp_path: Path) -> None:
    with gzip.open(DELIVERY_GZ, "rt") as fh:
        delivered = json.load(fh)["Records"]
    event = next(e for e in delivered if e["eventID"] == "0f6a2b1e-3c4d-4e5f-8a9b-0c1d2e3f4a51")
    signin = {**event, "eventID": "9a8b7c6d-0000-4000-8000-00000000e001", "eventName": "ConsoleLogin",
              "eventSource": "signin.amazonaws.com", "requestParameters": None,
              "responseElements": {"ConsoleLogin": "Failure"}, "errorMessage": "Failed authentication"}
    lines = [_eventbridge(event), _eventbridge(signin, "AWS Console Sign In via CloudTrail"),
             {"version": "0", "id": "x", "detail-type": "AWS API Call via CloudTrail", "source": "aws.s3", "detail": {"foo": 1}}]
    file = tmp_path / "eventbridge.jsonl"
    file.write_text("".join(json.dumps(line) + "\n" for line in lines))
    case, summary = load(tmp_path / "eb", file)
    assert summary.files[0].source == "cloudtrail"
    assert (summary.read, summary.loaded, summary.quarantined) == (3, 2, 1)
    assert quarantine(case)[0]["reason"] == "EventBridge detail holds no CloudTrail event"
    wrapped = one(case, "event_uid = $id", id=event["eventID"])
    assert wrapped["raw"] == json.dumps(lines[0]), "the envelope is kept as raw"
    assert (wrapped["operation"], wrapped["actor_uid"]) == (event["eventName"], event["userIdentity"]["arn"])
    failed = one(case, "event_uid = $id", id=signin["eventID"])
    assert (failed["class_name"], failed["status"]) == ("authentication", "failure")
    again = case.ingest([DELIVERY_GZ], progress=False)
    assert again.duplicates >= 1 and case.sql("SELECT count(*) FROM events WHERE event_uid = $i", i=event["eventID"]).item() == 1


# ------------------------------------------------------------------------------------------------
# The delegation and credential model: one access key from creation to deletion, STS grants.

SVC = f"arn:aws:iam::{ACCT}:user/svc-reporting"
SVC_KEY = "AKIAI44QH8DHBEXAMPLE"


def key_change(n: int, minute: int, operation: str, action: str, **columns: Any) -> dict[str, Any]:
    """deploy-bot changing svc-reporting's access key with its own long-term key."""
    return row(
        CREDS, n, "$", event_uid=f"c7a1d2e3-f405-4a6b-8c7d-{n:012d}", time=t(2025, 3, 12, 10, minute),
        class_name="account_change", operation=operation, status="success", actor_uid=DEPLOY_BOT, actor_type="unknown",
        actor_name="deploy-bot", credential_uid="AKIAIOSFODNN7EXAMPLE", target_uid=SVC, target_type="iam_user",
        target_name="svc-reporting", target_system="aws:iam", src_ip="198.51.100.23",
        user_agent=UA_CLI + "." + {"UpdateAccessKey": "update-access-key", "DeleteAccessKey": "delete-access-key"}[operation],
        credentials=[cred("AKIAIOSFODNN7EXAMPLE", "access_key", "used", DEPLOY_BOT), cred(SVC_KEY, "access_key", action, SVC)],
        **columns,
    )


CREDENTIAL_CASES: dict[str, dict[str, Any]] = {
    "UpdateAccessKey Inactive revokes the key": key_change(1, 20, "UpdateAccessKey", "revoked", activity="update"),
    "a denied UpdateAccessKey changes no credential": row(
        CREDS, 2, "$",
        **agent_call(
            event_uid="c7a1d2e3-f405-4a6b-8c7d-000000000002", time=t(2025, 3, 12, 10, 21), class_name="account_change",
            operation="UpdateAccessKey", status="failure", activity="update",
            status_detail=(
                f"AccessDenied: User: {AGENT} is not authorized to perform: iam:UpdateAccessKey on resource: user "
                "svc-reporting because no identity-based policy allows the iam:UpdateAccessKey action"
            ),
            target_uid=SVC, target_type="iam_user", target_name="svc-reporting", target_system="aws:iam",
        ),
    ),
    "UpdateAccessKey Active (a reactivation) hands nobody the key: no entry": key_change(
        3, 22, "UpdateAccessKey", "created", activity="update",
    ) | {"credentials": [cred("AKIAIOSFODNN7EXAMPLE", "access_key", "used", DEPLOY_BOT)]},
    "GetSessionToken: the key is used, a session token issued to its user": row(
        CREDS, 4, "$",
        event_uid="c7a1d2e3-f405-4a6b-8c7d-000000000004", time=t(2025, 3, 12, 10, 23), class_name="authentication",
        operation="GetSessionToken", status="success", activity="authenticate", actor_uid=SVC, actor_type="unknown",
        actor_name="svc-reporting", credential_uid=SVC_KEY, target_system="aws:sts",
        resources=[res("ASIAY34FZKBOSESSEXMP", "credential", "aws:sts")], src_ip="203.0.113.88",
        user_agent=UA_CLI.replace("command/iam", "command/sts") + ".get-session-token",
        credentials=[cred(SVC_KEY, "access_key", "used", SVC),
                     cred("ASIAY34FZKBOSESSEXMP", "session_token", "issued", SVC, expires=t(2025, 3, 12, 11, 23))],
    ),
    "GetFederationToken: the caller can act as the federated user until expiry": row(
        CREDS, 5, "$",
        event_uid="c7a1d2e3-f405-4a6b-8c7d-000000000005", time=t(2025, 3, 12, 10, 24), class_name="authentication",
        operation="GetFederationToken", status="success", activity="authenticate", actor_uid=SVC, actor_type="unknown",
        actor_name="svc-reporting", credential_uid=SVC_KEY, target_system="aws:sts",
        resources=[res("ASIAY34FZKBOFEDBOBEX", "credential", "aws:sts")], src_ip="203.0.113.88",
        user_agent=UA_CLI.replace("command/iam", "command/sts") + ".get-federation-token",
        delegations=[hop("impersonate", SVC, f"arn:aws:sts::{ACCT}:federated-user/bob", "grant", "ASIAY34FZKBOFEDBOBEX",
                         t(2025, 3, 12, 10, 39))],
        credentials=[cred(SVC_KEY, "access_key", "used", SVC),
                     cred("ASIAY34FZKBOFEDBOBEX", "session_token", "issued", f"arn:aws:sts::{ACCT}:federated-user/bob",
                          expires=t(2025, 3, 12, 10, 39))],
    ),
    "DeleteAccessKey deletes the key": key_change(6, 30, "DeleteAccessKey", "deleted", activity="delete"),
    "AssumeRoot: a root session of the member account (ISO expiration)": row(
        CREDS, 7, "$",
        **agent_call(
            event_uid="c7a1d2e3-f405-4a6b-8c7d-000000000007", time=t(2025, 3, 12, 10, 31), class_name="authentication",
            operation="AssumeRoot", status="success", activity="authenticate", target_system="aws:sts",
            user_agent=UA_BOTO.replace("1.34.62", "1.35.68"),
            resources=[res("ASIAY34FZKBOROOTEXMP", "credential", "aws:sts"), ALICE_SOURCE],
            delegations=[
                hop("assume_role", AGENT, "arn:aws:iam::444455556666:root", "grant", "ASIAY34FZKBOROOTEXMP", t(2025, 3, 12, 10, 46)),
                hop("on_behalf_of", "alice@example.com", "arn:aws:iam::444455556666:root", "standing"),
                *AGENT_HOPS,
            ],
            credentials=[cred(AGENT_KEY, "session_token", "used", AGENT),
                         cred("ASIAY34FZKBOROOTEXMP", "session_token", "issued", "arn:aws:iam::444455556666:root",
                              expires=t(2025, 3, 12, 10, 46))],
        ),
    ),
    "AddUserToGroup is a grant": row(
        CREDS, 8, "$",
        **agent_call(
            event_uid="c7a1d2e3-f405-4a6b-8c7d-000000000008", time=t(2025, 3, 12, 10, 32), class_name="account_change",
            operation="AddUserToGroup", status="success", activity="grant", target_uid=SVC, target_type="iam_user",
            target_name="svc-reporting", target_system="aws:iam",
            resources=[res(f"arn:aws:iam::{ACCT}:group/admins", "iam_group", "aws:iam"), ALICE_SOURCE],
        ),
    ),
    "CreateLoginProfile creates the user's password": row(
        CREDS, 9, "$",
        **agent_call(
            event_uid="c7a1d2e3-f405-4a6b-8c7d-000000000009", time=t(2025, 3, 12, 10, 33), class_name="account_change",
            operation="CreateLoginProfile", status="success", activity="create", target_uid=SVC, target_type="iam_user",
            target_name="svc-reporting", target_system="aws:iam",
            credentials=[cred(AGENT_KEY, "session_token", "used", AGENT),
                         cred(f"{SVC}#login_profile", "password", "created", SVC)],
        ),
    ),
}


@pytest.mark.parametrize("name", list(CREDENTIAL_CASES))
def test_credential_case_row(ingested, name: str) -> None:
    case, _ = ingested
    expected = CREDENTIAL_CASES[name]
    assert subset(one(case, "event_uid = $id", id=expected["event_uid"]), expected) == expected


def test_an_access_key_keeps_one_id_from_creation_to_deletion(ingested) -> None:
    case, _ = ingested
    life = case.sql(
        "SELECT e.operation, c.action FROM events e, unnest(e.credentials) AS u(c) WHERE c.uid = $k ORDER BY e.time",
        k=SVC_KEY,
    ).rows()
    assert life == [
        ("CreateAccessKey", "created"), ("UpdateAccessKey", "revoked"),
        ("GetSessionToken", "used"), ("GetFederationToken", "used"), ("DeleteAccessKey", "deleted"),
    ]


def test_real_assume_role_expiration_in_java_date_text(tmp_path: Path) -> None:
    """The conformance corpus's AssumeRole (elastic) writes "Oct 2, 2019 11:12:29 PM": one hour after eventTime."""
    line = json.dumps({
        "eventVersion": "1.05", "eventTime": "2019-10-02T22:12:29Z", "eventSource": "sts.amazonaws.com",
        "eventName": "AssumeRole", "awsRegion": "us-east-2", "eventID": "1917948f-3042-46ec-98e2-62865EXAMPLE",
        "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::111111111111:assumed-role/JohnDoe/JohnRole1",
                         "accountId": "111111111111", "accessKeyId": "AKIAI44QH8DHBEXAMPLE"},
        "requestParameters": {"roleArn": "arn:aws:iam::111111111111:role/JohnRole2", "roleSessionName": "Role2WithTags"},
        "responseElements": {"credentials": {"accessKeyId": "ASIAWHOJDLGPOEXAMPLE", "expiration": "Oct 2, 2019 11:12:29 PM"},
                             "assumedRoleUser": {"arn": "arn:aws:sts::111111111111:assumed-role/test-role/Role2WithTags"}},
        "recipientAccountId": "111111111111",
    })
    file = tmp_path / "assume.jsonl"
    file.write_text(line + "\n")
    case, _ = load(tmp_path / "c", file)
    got = one(case, "true")
    session = "arn:aws:sts::111111111111:assumed-role/test-role/Role2WithTags"
    assert got["delegations"][0] == hop("assume_role", "arn:aws:sts::111111111111:assumed-role/JohnDoe/JohnRole1", session,
                                        "grant", "ASIAWHOJDLGPOEXAMPLE", t(2019, 10, 2, 23, 12, 29))
    assert got["credentials"][1] == cred("ASIAWHOJDLGPOEXAMPLE", "session_token", "issued", session,
                                         expires=t(2019, 10, 2, 23, 12, 29))


def _iam_call(n: int, name: str, request: dict[str, Any], response: dict[str, Any] | None,
              source: str = "iam.amazonaws.com") -> str:
    """A successful call by deploy-bot, as CloudTrail writes it (response elements camel-cased)."""
    return json.dumps({
        "eventVersion": "1.09", "eventTime": f"2025-03-12T11:{n:02d}:00Z", "eventSource": source, "eventName": name,
        "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.23", "userAgent": UA_CLI,
        "userIdentity": {"type": "IAMUser", "principalId": "AIDACKCEVSQ6C2EXAMPLE", "arn": DEPLOY_BOT, "accountId": ACCT,
                         "accessKeyId": "AKIAIOSFODNN7EXAMPLE", "userName": "deploy-bot"},
        "requestParameters": request, "responseElements": response, "eventID": f"5e5e5e5e-0000-4000-8000-{n:012d}",
        "readOnly": False, "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": ACCT,
    })


def test_other_long_lived_credentials_and_their_lifecycle(tmp_path: Path) -> None:
    mfa = f"arn:aws:iam::{ACCT}:mfa/svc-reporting-phone"
    pair = f"arn:aws:ec2:us-east-1:{ACCT}:key-pair/bastion"
    lines = [
        _iam_call(1, "UploadSSHPublicKey", {"userName": "svc-reporting", "sSHPublicKeyBody": "ssh-ed25519 AAAA"},
                  {"sSHPublicKey": {"userName": "svc-reporting", "sSHPublicKeyId": "APKAEIBAERJR2EXAMPLE",
                                    "fingerprint": "c3:0b:6e:28:ad:b4:4a:5e:a8:e9:70:20:2d:1a:55:70", "status": "Active"}}),
        _iam_call(2, "UpdateSSHPublicKey", {"userName": "svc-reporting", "sSHPublicKeyId": "APKAEIBAERJR2EXAMPLE",
                                            "status": "Inactive"}, None),
        _iam_call(3, "DeleteSSHPublicKey", {"userName": "svc-reporting", "sSHPublicKeyId": "APKAEIBAERJR2EXAMPLE"}, None),
        _iam_call(4, "CreateServiceSpecificCredential", {"userName": "svc-reporting", "serviceName": "codecommit.amazonaws.com"},
                  {"serviceSpecificCredential": {"userName": "svc-reporting", "serviceName": "codecommit.amazonaws.com",
                                                 "serviceSpecificCredentialId": "ACCAEXAMPLE123EXAMPLE", "status": "Active"}}),
        _iam_call(5, "CreateVirtualMFADevice", {"virtualMFADeviceName": "svc-reporting-phone"},
                  {"virtualMFADevice": {"serialNumber": mfa}}),
        _iam_call(6, "EnableMFADevice", {"userName": "svc-reporting", "serialNumber": mfa}, None),
        _iam_call(7, "DeactivateMFADevice", {"userName": "svc-reporting", "serialNumber": mfa}, None),
        _iam_call(8, "DeleteVirtualMFADevice", {"serialNumber": mfa}, None),
        _iam_call(9, "CreateKeyPair", {"keyName": "bastion", "keyType": "ed25519"},
                  {"keyName": "bastion", "keyFingerprint": "30:1d:46:d0", "keyPairId": "key-0123456789abcdef0"},
                  source="ec2.amazonaws.com"),
        _iam_call(10, "DeleteKeyPair", {"keyName": "bastion"}, {"_return": True}, source="ec2.amazonaws.com"),
    ]
    file = tmp_path / "credentials.jsonl"
    file.write_text("".join(line + "\n" for line in lines))
    case, _ = load(tmp_path / "c", file)
    got = [(r["operation"], [c for c in r["credentials"] if c["action"] != "used"]) for r in rows(case)]
    assert got == [
        ("UploadSSHPublicKey", [cred("APKAEIBAERJR2EXAMPLE", "ssh_key", "created", SVC)]),
        ("UpdateSSHPublicKey", [cred("APKAEIBAERJR2EXAMPLE", "ssh_key", "revoked", SVC)]),
        ("DeleteSSHPublicKey", [cred("APKAEIBAERJR2EXAMPLE", "ssh_key", "deleted", SVC)]),
        ("CreateServiceSpecificCredential",
         [cred("ACCAEXAMPLE123EXAMPLE", "password", "created", SVC, "codecommit.amazonaws.com")]),
        ("CreateVirtualMFADevice", [cred(mfa, "mfa_device", "created", None)]),
        ("EnableMFADevice", [cred(mfa, "mfa_device", "created", SVC)]),
        ("DeactivateMFADevice", [cred(mfa, "mfa_device", "revoked", SVC)]),
        ("DeleteVirtualMFADevice", [cred(mfa, "mfa_device", "deleted", None)]),
        ("CreateKeyPair", [cred(pair, "ssh_key", "created", None, "bastion")]),
        ("DeleteKeyPair", [cred(pair, "ssh_key", "deleted", None, "bastion")]),
    ]
    assert [r["activity"] for r in rows(case)] == [
        "create", "update", "delete", "create", "create", "update", "update", "delete", "create", "delete"]
