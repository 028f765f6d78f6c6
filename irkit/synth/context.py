"""What every generator shares: the cast, the sinks, the seed, the period and helpers that emit
one record of each source. Each generator draws from its own ``Random`` keyed by the seed and by
what it generates (actor, day), so adding a generator never shifts another's numbers."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from . import cloudtrail
from ._util import HOUR, NS, SECOND, Ids, dumps, ns_of
from .cast import EKS_OIDC, NAT_IPS, Agent, Cast
from .sinks import Sinks

JsonObj = dict[str, Any]

BOTO_UA = ("Boto3/1.35.76 md/Botocore#1.35.76 ua/2.0 os/linux#6.1.115 md/arch#x86_64 lang/python#3.12.7 "
           "md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.76")
CLI_UA = ("aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.1.115 md/arch#x86_64 lang/python#3.12.6 "
          "md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#debian.12 "
          "md/prompt#off md/command#{cmd}")

# The period: 14 ordinary days, the incident day, one day after.
PERIOD_START = ns_of("2026-10-27T00:00:00Z")
INCIDENT_DAY = ns_of("2026-11-10T00:00:00Z")
PERIOD_END = ns_of("2026-11-12T00:00:00Z")
# The suspect's ordinary work stops here on the incident day (the incident conversation follows).
SUSPECT_BASELINE_END = ns_of("2026-11-10T13:00:00Z")
# The human who starts the incident conversation. On the incident day the story writes his only Okta
# sign-in (13:58), so it is his last authentication before the conversation (the delegation chain's
# first hop): the background writes no Okta day for him then.
STORY_HUMAN = "dave"


@dataclass
class Ctx:
    cast: Cast
    sinks: Sinks
    seed: int

    def rng(self, *key: object) -> random.Random:
        return random.Random(f"{self.seed}:" + ":".join(map(str, key)))

    def ids(self, *key: object) -> Ids:
        return Ids(self.rng(*key))

    # ------------------------------------------------------------ emit one record
    def ct(self, ns: int, rec: JsonObj) -> JsonObj:
        self.sinks.put("cloudtrail", ns, dumps(rec))
        return rec

    def put(self, source: str, ns: int, rec: JsonObj) -> JsonObj:
        self.sinks.put(source, ns, dumps(rec))
        return rec

    def jti(self, agent: Agent, ns: int) -> str:
        """The id of the pod's service-account token at `ns` (rotated every hour)."""
        return self.ids("sa-token", agent.id, ns // HOUR).uuid4()

    # ------------------------------------------------------------ shared actions
    def irsa_session(self, ids: Ids, agent: Agent, ns: int) -> cloudtrail.RoleSession:
        """The pod's web-identity token exchanged for role credentials (EKS IRSA)."""
        ns = ns - ns % SECOND
        session = cloudtrail.RoleSession(agent.id, agent.role_id, f"botocore-session-{ns // NS}", ids.aws_key("ASIA"), ns,
                                 web_identity_provider=EKS_OIDC)
        self.ct(ns, cloudtrail.record(
            ids, ns, cloudtrail.web_identity_user(EKS_OIDC, agent.sa, "sts.amazonaws.com"), "sts",
            "AssumeRoleWithWebIdentity", ip=NAT_IPS[0], ua=BOTO_UA,
            params={"roleArn": agent.role, "roleSessionName": session.session_name},
            response={"credentials": cloudtrail.credentials(ids, session.key, ns),
                      "subjectFromWebIdentityToken": agent.sa,
                      "assumedRoleUser": {"assumedRoleId": f"{agent.role_id}:{session.session_name}",
                                          "arn": session.arn},
                      "provider": EKS_OIDC, "audience": "sts.amazonaws.com"},
            resources=[{"accountId": agent.role.split(":")[4], "type": "AWS::IAM::Role", "ARN": agent.role}]))
        return session
