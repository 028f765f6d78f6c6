"""new_production_data: touched a production resource (inventory ``production`` globs) whose container
(S3 bucket, Kubernetes namespace/resource type, repository, else the resource) it never touched in the
baseline. Severity high. Not judged when the inventory declares no production patterns."""

from __future__ import annotations

from typing import Any

from irkit.inventory import Inventory
from irkit.rules import Thresholds, acting

NAME = "new_production_data"
QUERY = "triggers_new_production_data"


def params(inventory: Inventory, thresholds: Thresholds) -> dict[str, Any] | None:
    return {"patterns": list(inventory.production)} if inventory.production else None


def explain(r: dict[str, Any], thresholds: Thresholds) -> tuple[str, str]:
    detail = ", ".join(r.get("detail") or [])
    return (f"{acting(r)} touched production data in {r['subject']} (matches {detail}), which it never touched "
            f"in the {thresholds.baseline_days}-day baseline; {r['evidence_count']} events"), "high"
