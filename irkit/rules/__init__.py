"""Containment trigger rules: one module per rule, each holding everything the rule is.

A rule module defines ``NAME``; ``QUERY``, the ``irkit/sql/<QUERY>.sql`` file that finds its rows over
the scoped event table (None when another module computes the rows: activity after revocation);
``params(inventory, thresholds)``, the parameters it binds (None: the rule cannot be judged, e.g. no
production patterns are declared); and ``explain(row, thresholds) -> (reason, severity)``. Adding a
rule is one module, one SQL file and one line in :data:`REGISTRY`. Asking for a rule that is not
registered is an error, never a default verdict.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from types import ModuleType
from typing import Any

from irkit.errors import UsageError

#: kind -> module, in the order findings are computed.
REGISTRY: dict[str, str] = {
    "new_production_data": "irkit.rules.new_production_data",
    "tool_expansion": "irkit.rules.tool_expansion",
    "downstream_reach": "irkit.rules.downstream_reach",
    "privilege_change": "irkit.rules.privilege_change",
    "ownership_gap": "irkit.rules.ownership_gap",
    "activity_after_revocation": "irkit.rules.activity_after_revocation",
}
KINDS: tuple[str, ...] = tuple(REGISTRY)


@dataclass(frozen=True)
class Thresholds:
    """The rules' thresholds (see each rule); all overridable."""

    baseline_days: int = 30
    reach_factor: float = 2.0
    reach_min_new: int = 3
    burst_gap: timedelta = timedelta(minutes=30)


DEFAULT_THRESHOLDS = Thresholds()


@cache
def rule(kind: str) -> ModuleType:
    """The module of rule ``kind``."""
    if kind not in REGISTRY:
        raise UsageError(f"no trigger rule called {kind!r}; known: {', '.join(KINDS)}")
    module = importlib.import_module(REGISTRY[kind])
    if module.NAME != kind:
        raise UsageError(f"trigger rule module {REGISTRY[kind]} calls itself {module.NAME!r}, registered as {kind!r}")
    return module


def acting(r: dict[str, Any]) -> str:
    """'<identity> (acting as X, Y) with a credential Z created': who did it, as the row says."""
    who = r["identity"]
    others = [a for a in (r.get("acted_as") or []) if a != who]
    through = f" (acting as {', '.join(others)})" if others else ""
    if r.get("via") == "created credential" and r.get("attributed_to"):
        through += f" with a credential {r['attributed_to']} created"
    return f"{who}{through}"
