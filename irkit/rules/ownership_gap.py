"""ownership_gap: an identity acting in the window has no business owner, technical owner or revocation
path (medium), or is absent from the inventory (high)."""

from __future__ import annotations

from typing import Any

from irkit.inventory import Inventory
from irkit.rules import Thresholds

NAME = "ownership_gap"
QUERY = "triggers_ownership_gap"


def params(inventory: Inventory, thresholds: Thresholds) -> dict[str, Any] | None:
    return {}


def explain(r: dict[str, Any], thresholds: Thresholds) -> tuple[str, str]:
    detail = list(r.get("detail") or [])
    who = r["identity"]
    acting_for = f"; it acted for {r['attributed_to']}" if r.get("attributed_to") not in (None, who) else ""
    return f"{who} is active but: {', '.join(detail)}{acting_for}", "high" if "not in inventory" in detail else "medium"
