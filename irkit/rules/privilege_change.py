"""privilege_change: created a long-lived credential; first assumed, impersonated or federated into a
principal, or acted as one with a credential it created; gave a permission, role, membership or consent
(activity ``grant``). Severity high."""

from __future__ import annotations

from typing import Any

from irkit.inventory import Inventory
from irkit.rules import Thresholds, acting

NAME = "privilege_change"
QUERY = "triggers_privilege_change"


def params(inventory: Inventory, thresholds: Thresholds) -> dict[str, Any] | None:
    return {}


def explain(r: dict[str, Any], thresholds: Thresholds) -> tuple[str, str]:
    detail = list(r.get("detail") or [])
    return f"{acting(r)} {detail[0] if detail else 'changed privileges'}", "high"
