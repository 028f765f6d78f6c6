"""Who is who: canonical identities, learned links between them, and delegation trees.

The inventory declares identities and their aliases (:mod:`irkit.inventory`); the logs prove further
links (``identity_links``: the delegation hops the loaders state — role assumption, impersonation,
federation, acting on behalf of, sub-agent spawns, consent, sessions — and credentials used, created
and issued), each with the event that proves it. This module answers "who is X":
its aliases, owners, credentials and the delegation tree above and below it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import datetime
from html import escape
from typing import Any

import duckdb
import polars as pl

from irkit.db import frame
from irkit.errors import UsageError
from irkit.inventory import Identity, Inventory

#: Link kinds between identities: the model's delegation hop kinds (irkit.schema.DELEGATION_KINDS; the
#: others link an identity to a credential).
DELEGATION_KINDS = ("assume_role", "impersonate", "federate", "on_behalf_of", "spawn_agent", "consent", "session_of")
CREDENTIAL_KINDS = ("uses_credential", "created_credential", "issued_credential")


@dataclass
class Hop:
    """One edge of a delegation tree, with the event that proves it."""

    src: str
    dst: str
    kind: str
    event_uid: str
    first_time: datetime
    depth: int


@dataclass
class IdentityCard:
    """Everything a responder needs about one identity on one page."""

    identity: Identity
    actor_uids: list[str] = field(default_factory=list)
    credentials: list[dict[str, Any]] = field(default_factory=list)
    upstream: list[Hop] = field(default_factory=list)
    downstream: list[Hop] = field(default_factory=list)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    events: int = 0

    @property
    def id(self) -> str:
        return self.identity.id

    @property
    def aliases(self) -> list[str]:
        """Declared aliases and every uid seen in the logs that resolves to this identity."""
        return sorted(set(self.identity.aliases) | set(self.actor_uids))

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["aliases"] = self.aliases
        return out

    def _repr_html_(self) -> str:
        i = self.identity
        def row(k: str, v: Any) -> str:
            return f"<tr><th style='text-align:left'>{escape(k)}</th><td>{escape(str(v) if v not in (None, '') else '—')}</td></tr>"
        rows = [row("identity", i.id), row("kind", i.kind), row("in inventory", "yes" if i.declared else "NO"),
                row("display name", i.display_name), row("business owner", i.business_owner),
                row("technical owner", i.technical_owner), row("revocation path", i.revocation_path),
                row("aliases", ", ".join(self.aliases)), row("declared tools", ", ".join(i.tools)),
                row("declared systems", ", ".join(i.systems)), row("declared data", ", ".join(i.data)),
                row("credentials", ", ".join(c["credential"] for c in self.credentials)),
                row("active", f"{self.first_seen} → {self.last_seen} ({self.events} events)")]
        tree = "".join(
            f"<li>{'&nbsp;' * 4 * (h.depth - 1)}{escape(h.src)} —{escape(h.kind)}→ {escape(h.dst)} "
            f"<small>({escape(str(h.first_time))}, event {escape(h.event_uid)})</small></li>"
            for h in [*self.upstream, *self.downstream]
        )
        return f"<table>{''.join(rows)}</table><b>Delegation</b><ul>{tree or '<li>none seen</li>'}</ul>"


def resolve_name(con: duckdb.DuckDBPyConnection, inventory: Inventory, name: str) -> Identity:
    """The identity for an id, alias or actor uid seen in the logs."""
    declared = inventory.resolve(name)
    if declared is not None:
        return declared
    found = con.execute(
        "SELECT identity_id FROM actors WHERE actor_uid = $n OR identity_id = $n "
        "UNION ALL SELECT src_identity FROM identity_edges WHERE src = $n OR src_identity = $n "
        "UNION ALL SELECT dst_identity FROM identity_edges WHERE dst = $n OR dst_identity = $n LIMIT 1",
        {"n": name},
    ).fetchall()
    if not found:
        raise UsageError(f"no identity, alias or actor called {name!r} in the inventory or the logs")
    return inventory.resolve(found[0][0]) or Identity(id=found[0][0], declared=False)


def identity_card(con: duckdb.DuckDBPyConnection, inventory: Inventory, name: str) -> IdentityCard:
    ident = resolve_name(con, inventory, name)
    actors = con.execute(
        "SELECT actor_uid, first_seen, last_seen, events FROM actors WHERE identity_id = $i ORDER BY first_seen",
        {"i": ident.id},
    ).fetchall()
    edges = _delegation_edges(con)
    credentials = con.execute(
        "SELECT dst AS credential, kind, min(first_time) AS first_time, arg_min(event_uid, first_time) AS event_uid "
        "FROM identity_edges WHERE src_identity = $i AND kind IN ('uses_credential', 'created_credential') "
        "GROUP BY dst, kind ORDER BY first_time",
        {"i": ident.id},
    ).fetchall()
    return IdentityCard(
        identity=ident,
        actor_uids=[a[0] for a in actors],
        credentials=[{"credential": c, "kind": k, "first_time": t, "event_uid": e} for c, k, t, e in credentials],
        upstream=walk(edges, ident.id, upstream=True),
        downstream=walk(edges, ident.id, upstream=False),
        first_seen=min((a[1] for a in actors), default=None),
        last_seen=max((a[2] for a in actors), default=None),
        events=sum(a[3] for a in actors),
    )


def _delegation_edges(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return frame(
        con,
        "SELECT src_identity AS src, dst_identity AS dst, kind, event_uid, first_time FROM identity_edges "
        "WHERE list_contains($k, kind) AND src_identity <> dst_identity ORDER BY first_time",
        {"k": list(DELEGATION_KINDS)},
    )


def walk(edges: pl.DataFrame, start: str, *, upstream: bool) -> list[Hop]:
    """Breadth-first delegation tree from ``start``: who delegated to it (upstream) or what it reached."""
    key, other = ("dst", "src") if upstream else ("src", "dst")
    by_node: dict[str, list[dict[str, Any]]] = {}
    for row in edges.to_dicts():
        by_node.setdefault(row[key], []).append(row)
    seen, hops, queue = {start}, [], deque([(start, 1)])
    while queue:
        node, depth = queue.popleft()
        for row in by_node.get(node, []):
            nxt = row[other]
            if nxt in seen:
                continue
            seen.add(nxt)
            hops.append(Hop(row["src"], row["dst"], row["kind"], row["event_uid"], row["first_time"], depth))
            queue.append((nxt, depth + 1))
    return hops
