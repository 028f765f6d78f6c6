"""tool_expansion: called a tool outside its declared ``scope.tools`` / ``scope.systems`` (high), or one it
never called in the baseline (medium)."""

from __future__ import annotations

from typing import Any

from irkit.inventory import Inventory
from irkit.rules import Thresholds, acting

NAME = "tool_expansion"
QUERY = "triggers_tool_expansion"


def params(inventory: Inventory, thresholds: Thresholds) -> dict[str, Any] | None:
    return {}


def explain(r: dict[str, Any], thresholds: Thresholds) -> tuple[str, str]:
    detail = list(r.get("detail") or [])
    outside = any(d.startswith(("outside", "on a server outside")) for d in detail)
    return f"{acting(r)} called tool {r['subject']}: {'; '.join(detail)}", "high" if outside else "medium"
