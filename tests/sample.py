"""The sample incident: where its files are, and a case built from it once per test session."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import irkit

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "invoice-agent-incident"
INVENTORY = SAMPLE / "inventory.yaml"
INCIDENT = SAMPLE / "incident.yaml"
NATIVE_FOLDERS = ("aws", "okta", "github", "k8s", "mcp", "otel", "entra", "gcp")


def evidence_paths() -> list[Path]:
    """The native log folders of the sample (``evidence/`` when the sample has one)."""
    if (SAMPLE / "evidence").is_dir():
        return [SAMPLE / "evidence"]
    return [SAMPLE / name for name in NATIVE_FOLDERS if (SAMPLE / name).is_dir()]


@cache
def ground_truth() -> dict[str, Any]:
    return json.loads((SAMPLE / "ground_truth.json").read_text())


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def build_case(folder: Path) -> irkit.Case:
    case = irkit.open_case(folder)
    summary = case.ingest(evidence_paths(), progress=False)
    assert summary.balanced and summary.quarantined == 0, str(summary)
    case.use_inventory(INVENTORY)
    case.use_incident(INCIDENT)
    return case
