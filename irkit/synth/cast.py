"""Who and what exists at ACME: the people, services and agents of the sample incident.

Every identifier (Okta ids, access keys, uids) is drawn from ``Random(f"{seed}:cast")`` so the
same seed yields the same company. Names are plain constants: they are what a responder reads.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from ._util import Ids

ACCOUNT = "111122223333"
REGION = "us-east-1"
CLUSTER = "prod-use1"  # names the log folder, the EKS cluster and OTel's k8s.cluster.name
# The target system of the cluster's audit records: a raw audit.k8s.io log does not name its cluster, so
# the loader writes "k8s" ("k8s:<cluster>" only for GKE/AKS envelopes that carry the name).
K8S_SYSTEM = "k8s"
ORG = "acme"
ORG_ID = 81234567
BUSINESS = "acme-corp"
BUSINESS_ID = 40213
OKTA = "acme.okta.com"
EKS_OIDC = f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.{REGION}.amazonaws.com/id/5C3F1A9E07D24B6C8E1F2A3B4C5D6E7F"
GHA_OIDC = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
NAT_IPS = ("192.0.2.10", "192.0.2.11")  # the cluster's NAT gateways (TEST-NET-1)
ATTACKER_IPS = ("203.0.113.77", "203.0.113.140")  # TEST-NET-3
GEO_ASHBURN = {
    "city": "Ashburn", "state": "Virginia", "country": "United States", "postalCode": "20149",
    "geolocation": {"lat": 39.0469, "lon": -77.4903},
}
GEO_OFFICE = {
    "city": "Seattle", "state": "Washington", "country": "United States", "postalCode": "98101",
    "geolocation": {"lat": 47.6062, "lon": -122.3321},
}


def role_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


def user_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:user/{name}"


@dataclass
class Human:
    id: str
    display: str
    email: str
    okta_id: str
    ip: str
    browser_ua: str
    os: str
    browser: str
    sso_role: str | None = None  # AWS IAM Identity Center permission-set role name
    sso_role_id: str = ""
    github: str | None = None
    github_id: int = 0
    k8s: bool = False
    apps: tuple[str, ...] = ()  # Okta apps signed into (keys of Cast.okta_apps)
    business_owner: str = ""
    technical_owner: str = ""

    @property
    def k8s_user(self) -> str:
        return f"oidc:{self.email}"


@dataclass
class Agent:
    id: str
    display: str
    role: str
    role_id: str
    namespace: str
    sa_uid: str
    pod: str
    pod_uid: str
    node: str
    pod_ip: str
    okta_client: str
    okta_app: str
    okta_as: str  # custom authorization server id (aus…)
    okta_as_name: str
    okta_scope: str
    servers: dict[str, tuple[str, ...]]  # MCP server -> declared tools
    bucket: str
    configmap: str
    github_app: str | None = None
    github_app_id: int = 0
    github_bot_id: int = 0
    github_installation: int = 0
    github_client_id: str = ""
    github_repo: str = ""
    users: tuple[str, ...] = ()  # humans who talk to it
    business_owner: str = ""
    technical_owner: str = ""

    @property
    def sa(self) -> str:
        return f"system:serviceaccount:{self.namespace}:{self.id}"

    @property
    def bot(self) -> str:
        return f"{self.github_app}[bot]"


@dataclass
class Cast:
    humans: dict[str, Human]
    agents: dict[str, Agent]
    ids: dict[str, str] = field(default_factory=dict)  # misc named ids (keys, principal ids, app ids)
    okta_apps: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (0oa id, label)


_BROWSERS = (
    (("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/141.0.0.0 Safari/537.36"), "Mac OS X", "CHROME"),
    (("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/141.0.0.0 Safari/537.36 Edg/141.0.0.0"), "Windows 10", "EDGE"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.6; rv:144.0) Gecko/20100101 Firefox/144.0",
     "Mac OS X", "FIREFOX"),
)


def build_cast(seed: int) -> Cast:
    ids = Ids(random.Random(f"{seed}:cast"))
    okta_apps = {
        "aws": (ids.okta_id("0oa"), "AWS IAM Identity Center"),
        "github": (ids.okta_id("0oa"), "GitHub Enterprise Cloud - Organization"),
        "invoice-ui": (ids.okta_id("0oa"), "Invoice Assistant"),
        "support-ui": (ids.okta_id("0oa"), "Support Console"),
        "slack": (ids.okta_id("0oa"), "Slack"),
    }

    def human(key: str, display: str, n: int, **kw: object) -> Human:
        ua, os_, br = _BROWSERS[n % len(_BROWSERS)]
        return Human(key, display, f"{key}@acme.example", ids.okta_id("00u"), f"198.51.100.{20 + n}",
                     ua, os_, br, sso_role_id=ids.aws_principal("AROA"), **kw)  # type: ignore[arg-type]

    humans = {
        "alice": human("alice", "Alice Nguyen", 0, sso_role="AWSReservedSSO_SecurityAdmin_7c1e2f3a4b5d6e7f",
                       github="anguyen-acme", github_id=51234001, k8s=True, apps=("aws", "github", "slack")),
        "bob": human("bob", "Bob Okafor", 1, sso_role="AWSReservedSSO_PlatformAdmin_2a9b8c7d6e5f4a3b",
                     github="bokafor", github_id=51234002, k8s=True, apps=("aws", "github", "slack", "support-ui")),
        "carol": human("carol", "Carol Weiss", 2, sso_role="AWSReservedSSO_Developer_9f8e7d6c5b4a3921",
                       github="carolw", github_id=51234003, apps=("aws", "github", "slack", "support-ui")),
        "dave": human("dave", "Dave Romero", 3, apps=("invoice-ui", "slack")),
        "erin": human("erin", "Erin Shah", 4, apps=("invoice-ui", "slack")),
        "jane.doe": human("jane.doe", "Jane Doe", 5, apps=("invoice-ui", "slack")),
    }
    for h in humans.values():
        h.business_owner = "jane.doe@acme.example" if h.id in ("dave", "erin", "jane.doe") else "cto@acme.example"
        h.technical_owner = "it-identity@acme.example"

    def agent(key: str, display: str, ns: str, **kw: object) -> Agent:
        return Agent(
            id=key, display=display, role=role_arn(key), role_id=ids.aws_principal("AROA"), namespace=ns,
            sa_uid=ids.uuid4(), pod=f"{key}-{ids.hex(10)[:9]}-{ids.b62(5).lower()}", pod_uid=ids.uuid4(),
            node=f"ip-10-40-{ids.rng.randint(1, 254)}-{ids.rng.randint(1, 254)}.ec2.internal",
            pod_ip=f"10.40.{ids.rng.randint(64, 127)}.{ids.rng.randint(2, 254)}",
            okta_client=ids.okta_id("0oa"), okta_as=ids.okta_id("aus"), **kw)  # type: ignore[arg-type]

    agents = {
        "invoice-agent": agent(
            "invoice-agent", "Invoice processing agent", "finance",
            okta_app="Invoice Agent Service", okta_as_name="ledger-api", okta_scope="ledger.write",
            servers={"docs": ("read_document", "extract_invoice"), "ledger": ("post_to_ledger",)},
            bucket="acme-invoices-inbox", configmap="invoice-extraction-rules",
            github_app="invoice-agent", github_app_id=912345, github_bot_id=187654321,
            github_installation=55123456, github_client_id="Iv23liInvAg7x2QkLm9P",
            github_repo="acme/invoice-templates", users=("erin", "dave", "jane.doe"),
            business_owner="jane.doe@acme.example", technical_owner="platform-ai@acme.example"),
        "support-triage-agent": agent(
            "support-triage-agent", "Support ticket triage agent", "support",
            okta_app="Support Triage Service", okta_as_name="tickets-api", okta_scope="tickets.readwrite",
            servers={"tickets": ("search_tickets", "get_ticket", "update_ticket")},
            bucket="acme-support-attachments", configmap="triage-config", users=("bob", "carol"),
            business_owner="head-of-support@acme.example", technical_owner="platform-ai@acme.example"),
    }
    named = {
        "backup_user_id": ids.aws_principal("AIDA"),
        "backup_key_old": ids.aws_key("AKIA"),
        "ci_role_id": ids.aws_principal("AROA"),
        "ops_admin_role_id": ids.aws_principal("AROA"),
        "report_role_id": ids.aws_principal("AROA"),
        "node_role_id": ids.aws_principal("AROA"),
        "okta_admin_app": ids.okta_id("0oa"),
        "okta_org_as": "orgAS" + ids.b62(15),
        "okta_org_id": ids.okta_id("00o"),
        "gh_deploy_key_fpr": "SHA256:" + ids.b64(32, pad=False),
        "gh_deploy_key_id": str(ids.rng.randint(110_000_000, 119_999_999)),
        "ci_sa_uid": ids.uuid4(),
        "prom_sa_uid": ids.uuid4(),
    }
    return Cast(humans=humans, agents=agents, ids=named, okta_apps=okta_apps)
