"""downstream_reach: an activity burst reached at least ``reach_min_new`` downstream areas and identities
never reached in the baseline, and at least ``reach_factor`` times the most any baseline burst reached
for the first time (calibrated to the identity's own novelty; see ``sql/triggers_downstream_reach.sql``).
Severity high."""

from __future__ import annotations

from typing import Any

from irkit.inventory import Inventory
from irkit.rules import Thresholds, acting

NAME = "downstream_reach"
QUERY = "triggers_downstream_reach"


def params(inventory: Inventory, thresholds: Thresholds) -> dict[str, Any] | None:
    return {"gap_s": thresholds.burst_gap.total_seconds(), "factor": thresholds.reach_factor,
            "min_new": thresholds.reach_min_new}


def explain(r: dict[str, Any], thresholds: Thresholds) -> tuple[str, str]:
    detail = list(r.get("detail") or [])
    return (f"{acting(r)} reached {r['reach']} downstream areas and identities in one burst, {r['new_units']} never "
            f"reached before (largest baseline burst: {r['baseline_reach']}, at most {r['baseline_new']} new in one): "
            f"{', '.join(detail[:12])}" + (" ..." if len(detail) > 12 else "")), "high"
