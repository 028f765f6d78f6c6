"""What the logs alone say about identities: the inventory irkit learns when none is given, and the draft
``irkit inventory draft`` writes for the responder to complete.

At hour zero a responder has logs, an alert and a suspect's name, not an inventory. Three things an
inventory declares can be read off the normalized model instead (docs/inventory.md says how, and how
to override each):

* **aliases**: uids a record proves to be one principal (``same_as`` hops: an app id and its service
  principal, an App and its bot, a workload-identity principal and its service account), and the
  principals that act only while one agent runs: at least :data:`MIN_SHARE` of the principal's audit
  records lie inside that agent's invocations (widened by :data:`SLACK_S` for clock offsets), over at
  least :data:`MIN_RUNS` invocations and :data:`MIN_RECORDS` records, and no other agent (its
  sub-agents aside) explains them as well. That is the agent's role, service account, OAuth app or bot.
  Each alias keeps the record that proves it.
* **production and sensitive data**: resource uids, types or names matching :data:`HEURISTICS`
  (production names, secret stores and key vaults, customer and payroll data, deployment
  configuration), each becoming a glob
  over the uid up to the part that matched;
* **observed scope**: the tools, systems and data containers each identity used before the
  investigation window (the triggers compare the window with exactly this baseline already).

Owners and revocation paths cannot be learned: the draft marks them missing. The learned inventory
has no declared identity (every ownership question stays "not in inventory") and no declared scope.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from irkit.db import frame
from irkit.inventory import Identity, Inventory
from irkit.sql import query

#: Share of a principal's audit records that must lie inside one agent's invocations.
MIN_SHARE = 0.9
#: ... over at least this many invocations and records.
MIN_RUNS = 2
MIN_RECORDS = 3
#: Seconds an invocation window is widened on each side (clock offsets between sources).
SLACK_S = 5.0

#: Heuristics for production and sensitive data: name -> case-insensitive regular expression over a
#: resource's uid, type and name. Override them by giving an inventory with ``production:`` patterns.
HEURISTICS: dict[str, str] = {
    "production name": r"(^|[^a-z0-9])prod(uction)?([^a-z]|$)|prod[0-9]",
    "secret store": r"secret|vault|(^|[^a-z])kms([^a-z]|$)",
    "customer or personal data": r"customer|payroll|payment|billing|salar|patient|personal|(^|[^a-z])pii([^a-z]|$)",
    "deployment configuration": r"deploy([^m]|$)",
}

#: Resource types that name principals or grants, not data (left out of the production guesses).
NOT_DATA_TYPES = (r"(?i)(^|[_.:/ ])(iam_role|roles?|users?|groups?|service_?accounts?|serviceaccounts|service_?principals?|"
                  r"applications?|apps?|credentials?|rolebindings?|clusterrolebindings?|roleassignments?)$")


@dataclass(frozen=True)
class Alias:
    """One uid of an identity and the record that proves it."""

    uid: str
    how: str            # "itself", "same principal (record)", "acts only while the agent runs"
    event_uid: str | None = None
    detail: str = ""


@dataclass
class LearnedIdentity:
    id: str
    kind: str
    aliases: list[Alias] = field(default_factory=list)
    name: str | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    events: int = 0
    tools: list[str] = field(default_factory=list)
    systems: list[str] = field(default_factory=list)
    data: list[str] = field(default_factory=list)
    first_event: str | None = None


@dataclass(frozen=True)
class ProductionGuess:
    pattern: str
    heuristics: tuple[str, ...]
    example: str
    event_uid: str


@dataclass
class Learned:
    """Identities grouped by the aliases the logs prove, and production guesses."""

    identities: dict[str, LearnedIdentity]
    production: list[ProductionGuess]
    ambiguous: list[str] = field(default_factory=list)

    def identity_of(self, uid: str) -> LearnedIdentity | None:
        low = uid.lower()
        for ident in self.identities.values():
            if any(a.uid.lower() == low for a in ident.aliases):
                return ident
        return None

    def inventory(self) -> Inventory:
        """The learned inventory: identities with more than one uid (nothing declared: owners, paths and
        scope stay unknown) and the production guesses."""
        ids = {i.id: Identity(id=i.id, kind=i.kind, display_name=i.name, aliases=tuple(a.uid for a in i.aliases),
                              declared=False)
               for i in self.identities.values() if len(i.aliases) > 1}
        return Inventory(ids, tuple(dict.fromkeys(p.pattern for p in self.production)), path=None, learned=True)

    def to_json(self) -> dict[str, Any]:
        return {
            "identities": [{**{k: v for k, v in vars(i).items() if k != "aliases"},
                            "first_seen": i.first_seen.isoformat() if i.first_seen else None,
                            "last_seen": i.last_seen.isoformat() if i.last_seen else None,
                            "aliases": [vars(a) for a in i.aliases]} for i in self.identities.values()],
            "production": [{**vars(p), "heuristics": list(p.heuristics)} for p in self.production],
            "ambiguous": self.ambiguous,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Learned:
        idents = {}
        for row in data["identities"]:
            row = dict(row)
            row["aliases"] = [Alias(**a) for a in row["aliases"]]
            for key in ("first_seen", "last_seen"):
                row[key] = datetime.fromisoformat(row[key]) if row[key] else None
            idents[row["id"]] = LearnedIdentity(**row)
        prod = [ProductionGuess(p["pattern"], tuple(p["heuristics"]), p["example"], p["event_uid"])
                for p in data["production"]]
        return cls(idents, prod, list(data.get("ambiguous", [])))


# -- learning -----------------------------------------------------------------------------------------
def cache_salt() -> str:
    """What a cached :class:`Learned` depends on besides the lake: these queries and thresholds."""
    import hashlib

    from irkit import __version__

    parts = [__version__, repr((MIN_SHARE, MIN_RUNS, MIN_RECORDS, SLACK_S, HEURISTICS, NOT_DATA_TYPES))]
    parts += [query(n) for n in ("inventory_draft_principals", "inventory_draft_same", "inventory_draft_runs",
                                 "inventory_draft_production")]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def learn(con: duckdb.DuckDBPyConnection, *, baseline_until: datetime | None = None) -> Learned:
    """Learn identities, aliases and production guesses from the lake (``principal_hops`` and ``credentials_seen`` must exist).
    ``baseline_until``: observed scope only from records before it (None: the whole lake)."""
    principals = frame(con, query("inventory_draft_principals"), {"until": baseline_until, "not_data": NOT_DATA_TYPES})
    same = frame(con, query("inventory_draft_same"))
    runs = frame(con, query("inventory_draft_runs"), {"slack_s": SLACK_S})
    parents = _spawn_parents(con)
    groups = _UnionFind()
    proofs: dict[str, Alias] = {}
    for a, b, event, _time in same.iter_rows():
        groups.union(a, b)
        proofs.setdefault(b, Alias(b, "same principal (record)", event, f"a record names {a} and {b} as one principal"))
        proofs.setdefault(a, Alias(a, "same principal (record)", event, f"a record names {a} and {b} as one principal"))
    agents = set(runs["agent"].to_list()) | set(principals.filter(principals["actor_type"] == "agent")["principal"].to_list())
    ambiguous = []
    for principal, rows in runs.group_by("principal", maintain_order=True):
        uid = str(principal[0])
        if uid in agents:
            continue
        fit = rows.filter((rows["share"] >= MIN_SHARE) & (rows["runs"] >= MIN_RUNS) & (rows["events"] >= MIN_RECORDS))
        candidates = set(fit["agent"].to_list())
        # a sub-agent runs inside its parent's invocation: the parent explains the principal
        top = sorted(a for a in candidates if not (_ancestors(a, parents) & candidates))
        if len(top) != 1:
            if len(top) > 1:
                ambiguous.append(f"{uid}: acts only while {', '.join(top)} run")
            continue
        row = fit.filter(fit["agent"] == top[0]).row(0, named=True)
        groups.union(top[0], uid)
        proofs[uid] = Alias(uid, "acts only while the agent runs", row["event_uid"],
                            f"{row['events']} of its {row['total']} records lie inside {row['runs']} invocations of "
                            f"{top[0]} (first: invocation {row['run_uid']})")
    info = {r["principal"]: r for r in principals.iter_rows(named=True)}
    members: dict[str, list[str]] = {}
    for uid in sorted(set(info) | set(groups.parent)):
        members.setdefault(groups.find(uid), []).append(uid)
    identities: dict[str, LearnedIdentity] = {}
    for uids in members.values():
        ident_id = _pick_id(uids, agents, info)
        rows = [info[u] for u in uids if u in info]
        kinds = {r["actor_type"] for r in rows} | ({"agent"} if set(uids) & agents else set())
        kind = "agent" if "agent" in kinds else "human" if "human" in kinds else "service"
        aliases = [Alias(ident_id, "itself", info.get(ident_id, {}).get("first_event"))]
        aliases += [proofs.get(u, Alias(u, "same principal (record)")) for u in uids if u != ident_id]
        identities[ident_id] = LearnedIdentity(
            id=ident_id, kind=kind, aliases=aliases,
            name=next((r["name"] for r in rows if r["principal"] == ident_id and r["name"]), None),
            first_seen=min((r["first_seen"] for r in rows), default=None),
            last_seen=max((r["last_seen"] for r in rows), default=None),
            events=sum(r["events"] for r in rows),
            tools=sorted({t for r in rows for t in r["tools"] or []}),
            systems=sorted({s for r in rows for s in r["systems"] or []}),
            data=sorted({d for r in rows for d in r["data"] or []}),
            first_event=info.get(ident_id, {}).get("first_event"),
        )
    return Learned(dict(sorted(identities.items())), production_guesses(con), ambiguous)


def production_guesses(con: duckdb.DuckDBPyConnection, heuristics: dict[str, str] | None = None) -> list[ProductionGuess]:
    """Glob patterns for the resources :data:`HEURISTICS` recognise: the uid up to and including the
    first ``/`` part that matches (a bucket, a namespace, a resource group, a repository), then ``*``."""
    rules = heuristics or HEURISTICS
    names, patterns = list(rules), ["(?i)" + p for p in rules.values()]
    found = frame(con, query("inventory_draft_production"), {"names": names, "patterns": patterns,
                                                                  "not_data": NOT_DATA_TYPES})
    compiled = [re.compile(p, re.IGNORECASE) for p in rules.values()]
    out: dict[str, ProductionGuess] = {}
    for r in found.iter_rows(named=True):
        parts = r["uid"].split("/")
        cut = next((k for k, part in enumerate(parts) if any(c.search(part) for c in compiled)), len(parts) - 1)
        pattern = _glob_escape("/".join(parts[:cut + 1])) + "*"
        if pattern not in out:
            out[pattern] = ProductionGuess(pattern, tuple(r["heuristics"]), r["uid"], r["event_uid"])
    return sorted(out.values(), key=lambda p: p.pattern)


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def _spawn_parents(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    rows = con.execute("SELECT DISTINCT src, dst FROM identity_links WHERE kind = 'spawn_agent'").fetchall() \
        if _has_table(con, "identity_links") else []
    parents: dict[str, set[str]] = {}
    for src, dst in rows:
        parents.setdefault(dst, set()).add(src)
    return parents


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = $n", {"n": name}).fetchall()[0][0])


def _ancestors(agent: str, parents: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    todo = list(parents.get(agent, ()))
    while todo:
        a = todo.pop()
        if a not in seen:
            seen.add(a)
            todo.extend(parents.get(a, ()))
    return seen


def _pick_id(uids: list[str], agents: set[str], info: dict[str, dict[str, Any]]) -> str:
    """An agent's own id; else the uid with the most records (ties: the shortest, then alphabetical)."""
    mine = sorted(u for u in uids if u in agents)
    if mine:
        return mine[0]
    return sorted(uids, key=lambda u: (-(info.get(u, {}).get("events") or 0), len(u), u))[0]


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


# -- the draft file -----------------------------------------------------------------------------------
def _q(value: Any) -> str:
    """A YAML scalar that cannot be misread: JSON's double-quoted string is valid YAML (log text is hostile)."""
    return json.dumps(value, ensure_ascii=True) if value is not None else "null"


def _comment(text: str) -> str:
    return "  # " + json.dumps(text, ensure_ascii=True)[1:-1]


def draft_yaml(learned: Learned, *, identities: Iterable[str] | None = None, source: str = "") -> str:
    """The draft inventory as YAML text, loadable by :func:`irkit.inventory.load_inventory`: every
    identity (or those named, in that order) with kind, aliases and the record proving each (as
    comments), observed scope and production guesses; owners and revocation paths ``null`` and marked
    MISSING for the responder to fill in."""
    chosen = list(identities) if identities is not None else list(learned.identities)
    lines = [
        "# Draft identity inventory written by `irkit inventory draft` from the logs" + (f" of {source}" if source else "") + ".",
        "# Complete it (owners, revocation paths; check every alias and guess), then give it with --inventory.",
        "# Fields: docs/inventory.md. Values are JSON-quoted because log text can hold anything.",
        "# production: guessed by heuristics (docs/inventory.md, 'Production and sensitive data'); delete what is wrong.",
        "production:",
    ]
    if not learned.production:
        lines[-1] = "production: []"
    for p in learned.production:
        lines.append(f"- {_q(p.pattern)}" + _comment(f"{', '.join(p.heuristics)}: e.g. {p.example} (event {p.event_uid})"))
    lines.append("identities:" if any(i in learned.identities for i in chosen) else "identities: []")
    for ident_id in chosen:
        i = learned.identities.get(ident_id)
        if i is None:
            continue
        lines += [
            f"- id: {_q(i.id)}",
            f"  kind: {_q(i.kind)}" + _comment(f"as the records say; {i.events} records {i.first_seen} .. {i.last_seen}"),
            f"  display_name: {_q(i.name)}",
            "  business_owner: null  # MISSING: who answers for it",
            "  technical_owner: null  # MISSING: who operates it",
            "  revocation_path: null  # MISSING: how to cut it off",
            "  aliases:",
        ]
        for a in i.aliases:
            proof = f"{a.how}" + (f", event {a.event_uid}" if a.event_uid else "") + (f": {a.detail}" if a.detail else "")
            lines.append(f"  - {_q(a.uid)}" + _comment(proof))
        lines.append("  scope:  # observed before the investigation window, not declared: confirm or trim")
        for name, values in (("tools", i.tools), ("systems", i.systems), ("data", i.data)):
            if values:
                lines.append(f"    {name}:")
                lines += [f"    - {_q(v)}" for v in values]
            else:
                lines.append(f"    {name}: []")
    if learned.ambiguous:
        lines.append("# Not taken as aliases (more than one agent explains them):")
        lines += ["#   " + json.dumps(a, ensure_ascii=True)[1:-1] for a in learned.ambiguous]
    return "\n".join(lines) + "\n"


def write_draft(text: str, out: str | Path) -> Path:
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
