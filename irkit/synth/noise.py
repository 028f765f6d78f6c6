"""Scale noise: a synthetic population (humans, services, helper agents) whose volume follows the
requested event count. Records are built with the same per-source builders as the sample, hour by
hour, so memory stays bounded by one hour of records whatever the total.

Noise never touches production (its buckets, namespaces and repositories are its own) and every
noise identity is written to the inventory, so it adds volume without adding findings.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from . import cloudtrail as ct
from . import github, k8s, okta
from ._util import HOUR, MINUTE, NS, SECOND, Ids
from .cast import ACCOUNT, K8S_SYSTEM, REGION, Human
from .context import BOTO_UA, CLI_UA, Ctx
from .conversation import AgentRun, emit_trace
from .inventory import _identity

JsonObj = dict[str, Any]

MIX = (("cloudtrail", 0.62), ("k8s", 0.16), ("okta", 0.06), ("github", 0.05))  # the rest: MCP + OTel
AGENT_TOOLS = {"kb": ("search_kb", "summarize")}
READS: tuple[tuple[str, str, JsonObj | None], ...] = (("ec2", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
         ("s3", "ListBuckets", {"Host": f"s3.{REGION}.amazonaws.com"}),
         ("cloudwatch", "DescribeAlarms", {"maxRecords": 100}),
         ("logs", "DescribeLogGroups", {"limit": 50}),
         ("lambda", "ListFunctions20150331", None),
         ("ecr", "DescribeRepositories", {"registryId": ACCOUNT}),
         ("iam", "GetUser", None))


@dataclass
class Pop:
    humans: list[Human]
    roles: list[tuple[str, str]]  # (service id, role principal id)
    sa_uids: list[str]
    clients: list[str]
    agents: list[str]


def population(seed: int, noise: int) -> Pop:
    ids = Ids(random.Random(f"{seed}:noise-pop"))
    nh = max(8, min(4000, noise // 25_000))
    ns = max(4, min(2000, noise // 50_000))
    na = max(1, min(50, noise // 500_000))
    humans = [Human(f"u{i:04d}", f"User {i:04d}", f"u{i:04d}@acme.example", ids.okta_id("00u"),
                    f"100.64.{i // 250}.{i % 250 + 1}", "Mozilla/5.0 (X11; Linux x86_64; rv:144.0) Gecko/20100101 "
                    "Firefox/144.0", "Linux", "FIREFOX", sso_role="AWSReservedSSO_ReadOnly_0f1e2d3c4b5a6978",
                    sso_role_id=ids.aws_principal("AROA"), github=f"u{i:04d}-acme", github_id=60_000_000 + i,
                    k8s=True) for i in range(nh)]
    return Pop(humans, [(f"svc-{i:04d}", ids.aws_principal("AROA")) for i in range(ns)],
               [ids.uuid4() for _ in range(ns)], [ids.okta_id("0oa") for _ in range(ns)],
               [f"helper-agent-{i:02d}" for i in range(na)])


def inventory_entries(pop: Pop) -> list[dict[str, Any]]:
    out = []
    for h in pop.humans:
        out.append(_identity(h.id, "human", h.display, "cto@acme.example", "it-identity@acme.example",
                             "Suspend the Okta user.", [h.email, h.okta_id,
                                                        f"arn:aws:sts::{ACCOUNT}:assumed-role/{h.sso_role}/{h.email}",
                                                        h.github or "", h.k8s_user],
                             [], ["okta", "aws:*", "github", K8S_SYSTEM], []))
    for (sid, _), client in zip(pop.roles, pop.clients):
        out.append(_identity(sid, "service", f"Service {sid}", "cto@acme.example", "platform@acme.example",
                             "Revoke role sessions; delete the service account.",
                             [f"arn:aws:iam::{ACCOUNT}:role/{sid}", _sa(sid), client], [],
                             ["aws:s3", K8S_SYSTEM, "okta"],
                             [f"arn:aws:s3:::acme-{sid}-data/*", f"namespaces/{_ns(sid)}/*"]))
    for a in pop.agents:
        out.append(_identity(a, "agent", f"Helper agent {a}", "cto@acme.example", "platform-ai@acme.example",
                             "Disable the agent deployment.", [a], list(AGENT_TOOLS["kb"]), ["mcp:kb"], []))
    return out


def _ns(sid: str) -> str:
    return f"team-{int(sid[4:]) % 50:02d}"


def _sa(sid: str) -> str:
    return f"system:serviceaccount:{_ns(sid)}:{sid}"


SLICE = 10 * MINUTE  # noise is written and flushed in 10-minute slices: memory follows the slice


def slice_weights(start: int, end: int) -> list[float]:
    """Office hours (13–22 UTC) weigh 1, nights 0.3, weekends a quarter of that."""
    import datetime as dt

    out = []
    for t in range(start, end, SLICE):
        d = dt.datetime.fromtimestamp(t // NS, dt.UTC)
        w = 1.0 if 13 <= d.hour < 22 else 0.3
        out.append(w * (0.25 if d.weekday() >= 5 else 1.0))
    return out


class Noise:
    """`sources` chooses which part this instance writes (the CloudTrail part can run in another
    process); the records are the same whoever writes them, each source having its own Random."""

    SOURCES = ("cloudtrail", "k8s", "okta", "github", "agents")

    def __init__(self, ctx: Ctx, total: int, start: int, end: int,
                 sources: tuple[str, ...] = SOURCES) -> None:
        self.ctx = ctx
        self.pop = population(ctx.seed, total)
        self.start = start
        self.sources = sources
        w = slice_weights(start, end)
        cum, acc = [0.0], 0.0
        for x in w:
            acc += x
            cum.append(acc)
        self.per_slice = [int(cum[i + 1] * total / acc) - int(cum[i] * total / acc) for i in range(len(w))]
        self._sessions: dict[tuple[int, int], ct.RoleSession] = {}
        self._conversation_budget = 0  # carried across slices: a conversation is 15 records

    def slice(self, t0: int) -> int:
        """Write the noise of the slice starting at t0; returns how many records (spans for OTel)."""
        n = self.per_slice[(t0 - self.start) // SLICE]
        written = done = 0
        for source, share in MIX:
            k = round(n * share)
            written += k
            if source in self.sources:
                ids = self.ctx.ids("noise", source, t0)
                make = getattr(self, f"_{source}")
                rnd = ids.rng.random
                for _ in range(k):
                    make(ids, t0 + int(rnd() * SLICE) // 1000 * 1000)
        self._conversation_budget += n - written
        if self._conversation_budget >= 15:
            ids = self.ctx.ids("noise", "agents", t0)
            done = self._conversations(ids, t0, self._conversation_budget) if "agents" in self.sources else \
                self._conversation_budget // 15 * 15
            self._conversation_budget -= done
        return sum(round(n * share) for source, share in MIX if source in self.sources) + \
            (done if "agents" in self.sources else 0)

    # ------------------------------------------------------------ per source
    def _session(self, ids: Ids, who: int, ns: int) -> ct.RoleSession:
        key = (who, ns // (8 * HOUR))  # an SSO session lasts a working day
        s = self._sessions.get(key)
        if s is None:
            if len(self._sessions) > 50_000:
                self._sessions.clear()
            h = self.pop.humans[who]
            assert h.sso_role
            s = ct.RoleSession(h.sso_role, h.sso_role_id, h.email, ids.aws_key("ASIA"), ns - ns % SECOND)
            self._sessions[key] = s
        return s

    def _service_session(self, ids: Ids, i: int, ns: int) -> ct.RoleSession:
        key = (-1 - i, ns // (6 * HOUR))  # workload credentials rotate every 6 hours
        s = self._sessions.get(key)
        if s is None:
            sid, rid = self.pop.roles[i]
            start = ns - ns % (6 * HOUR)
            s = ct.RoleSession(sid, rid, f"{sid}-{start // NS}", ids.aws_key("ASIA"), start)
            self._sessions[key] = s
        return s

    def _cloudtrail(self, ids: Ids, ns: int) -> None:
        rng = ids.rng
        sec = ns - ns % SECOND
        if rng.random() < 0.6:
            who = int(rng.random() * len(self.pop.humans))
            src, name, params = rng.choice(READS)
            rec = ct.record(ids, sec, self._session(ids, who, ns).identity(), src, name,
                            ip=self.pop.humans[who].ip, ua=CLI_UA, params=params)
        else:
            i = int(rng.random() * len(self.pop.roles))
            sid = self.pop.roles[i][0]
            session = self._service_session(ids, i, ns)
            name = "GetObject" if rng.random() < 0.7 else "PutObject"
            rec = ct.s3_object_event(ids, sec, session.identity(), name, f"acme-{sid}-data",
                                     f"part/{int(rng.random() * 100_000):05d}.json", ip="192.0.2.11", ua=BOTO_UA,
                                     size=1000 + int(rng.random() * 5_000_000))
        self.ctx.ct(ns, rec)

    def _k8s(self, ids: Ids, ns: int) -> None:
        rng = ids.rng
        if rng.random() < 0.7:
            i = int(rng.random() * len(self.pop.roles))
            sid = self.pop.roles[i][0]
            user = k8s.plain_user(_sa(sid), self.pop.sa_uids[i],
                                  ["system:serviceaccounts", f"system:serviceaccounts:{_ns(sid)}", "system:authenticated"])
            rec = k8s.event(ids, ns, user=user, verb="get", resource=rng.choice(("configmaps", "secrets")),
                            namespace=_ns(sid), name=f"{sid}-config", ip="10.40.80.9", ua=k8s.PY_CLIENT_UA,
                            reason=f'RBAC: allowed by RoleBinding "{sid}/{_ns(sid)}"')
        else:
            h = rng.choice(self.pop.humans)
            rec = k8s.event(ids, ns, user=k8s.plain_user(h.k8s_user, None, ["system:authenticated"]), verb="list",
                            resource="pods", namespace=f"team-{int(rng.random() * 50):02d}", name=None, ip=h.ip,
                            ua=k8s.KUBECTL_UA, reason="RBAC: allowed", query="?limit=500")
        self.ctx.put("k8s", ns, rec)

    def _okta(self, ids: Ids, ns: int) -> None:
        rng = ids.rng
        if rng.random() < 0.6:
            i = int(rng.random() * len(self.pop.clients))
            rec = okta.token_grant(ids, ns, client_id=self.pop.clients[i], app_label=self.pop.roles[i][0],
                                   as_id="ausNoiseDefault0000", as_name="internal-api", scopes="internal.read",
                                   ip="192.0.2.11")
        else:
            h = rng.choice(self.pop.humans)
            session = "102" + ids.b62(22)
            rec = okta.session_start(ids, ns, h, session) if rng.random() < 0.5 else okta.sso(
                ids, ns, h, session, *self.ctx.cast.okta_apps["slack"])
        self.ctx.put("okta", ns, rec)

    def _github(self, ids: Ids, ns: int) -> None:
        rng = ids.rng
        h = rng.choice(self.pop.humans)
        repo = f"acme/team-{int(rng.random() * 50):02d}-service"
        self.ctx.put("github", ns, github.git_event(ids, ns, rng.choice(("git.clone", "git.fetch", "git.push")),
                                                    h, repo))

    def _conversations(self, ids: Ids, h: int, budget: int) -> int:
        """Helper-agent conversations: 15 records each (9 MCP lines, 6 spans)."""
        rng = ids.rng
        done = 0
        while budget - done >= 15:
            agent = rng.choice(self.pop.agents)
            start = h + int(rng.random() * (SLICE - 120 * SECOND)) // 1000 * 1000
            run = AgentRun(self.ctx.sinks, ids, agent, "0.9.0", "conv_" + ids.b62(24), ids.trace_id(),
                           ids.hex(32), start, user_id=rng.choice(self.pop.humans).email)
            t = run.open_server(start + 300_000_000, "kb")
            for tool in AGENT_TOOLS["kb"]:
                t = run.chat(t + 50_000_000, (1_000 + int(rng.random() * 3_000)) * 1_000_000)
                call = run.tool(t + 20_000_000, "kb", tool, {"query": f"topic {int(rng.random() * 1000)}"},
                                "3 results", (200 + int(rng.random() * 700)) * 1_000_000)
                t = call.end_ns
            t = run.chat(t + 50_000_000, 1_500_000_000)
            run.finish(t + 10_000_000)
            emit_trace(self.ctx.sinks, run, agent, {"deployment.environment.name": "prod"})
            done += 15
        return done

