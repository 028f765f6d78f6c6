"""activity_after_revocation: a revoked principal or credential, or a credential the suspect created or
was handed once it was contained, still acted (rows from :func:`irkit.revocation.after_revocation`).
Severity critical."""

from __future__ import annotations

from typing import Any

from irkit.inventory import Inventory
from irkit.rules import Thresholds
from irkit.timeutil import iso

NAME = "activity_after_revocation"
QUERY = None


def params(inventory: Inventory, thresholds: Thresholds) -> dict[str, Any] | None:
    return {}


def explain(r: dict[str, Any], thresholds: Thresholds) -> tuple[str, str]:
    failed = f", {r['failures']} of them refused" if r.get("failures") else ""
    return (f"{r['identity']} still acted with {r['subject']} {r['evidence_count']} times after revocation: "
            f"{r.get('revoked_reason')}; {r.get('revoked_action') or 'revoked'} at {iso(r.get('revoked_at'))}{failed}. "
            f"First {iso(r['time'])}, last {iso(r['last_time'])}"
            + (f", from {', '.join(r['src_ips'])}" if r.get("src_ips") else "")), "critical"
