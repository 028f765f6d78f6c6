"""Every incident scenario under sample_data/ (each folder with evidence/, ground_truth.json,
inventory.yaml, incident.yaml), and a case built from each once per test session.

Scenarios differ on purpose (vendors, how authority passes, what the noise shares with the attack),
so an analysis tuned to one story fails on another. Their answer keys are written by the generator
from the story, never from an analysis.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import irkit

ROOT = Path(__file__).resolve().parent.parent / "sample_data"

#: Identities the sample's story makes act, for answer keys written before ``story_identities`` existed.
SAMPLE_STORY_IDENTITIES = ("invoice-agent", "recon-subagent", "ops-admin", "backup-svc")


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


@dataclass(frozen=True)
class Scenario:
    folder: Path

    @property
    def name(self) -> str:
        return self.folder.name

    @cached_property
    def truth(self) -> dict[str, Any]:
        return json.loads((self.folder / "ground_truth.json").read_text())

    @property
    def suspect(self) -> str:
        return str(self.truth["suspect"]["id"])

    @property
    def compromise(self) -> datetime:
        return ts(self.truth["times"]["compromise"])

    @property
    def story_identities(self) -> set[str]:
        listed = self.truth.get("story_identities") or SAMPLE_STORY_IDENTITIES
        return {i if isinstance(i, str) else i["uid"] for i in listed}

    def build(self, folder: Path) -> irkit.Case:
        case = irkit.open_case(folder)
        summary = case.ingest([self.folder / "evidence"], progress=False)
        assert summary.balanced, str(summary)
        assert summary.quarantined == 0, f"{self.name}: {summary}"
        case.use_inventory(self.folder / "inventory.yaml")
        case.use_incident(self.folder / "incident.yaml")
        return case


def scenarios() -> list[Scenario]:
    return [Scenario(p.parent) for p in sorted(ROOT.glob("*/ground_truth.json")) if (p.parent / "evidence").is_dir()]
