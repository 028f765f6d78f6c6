"""Incident scenarios beside the committed sample, each a module with ``generate(out_dir, seed)``.

    SCENARIOS["coding-agent-gcp"]   a coding agent on GKE workload identity, GitHub, no AWS
    SCENARIOS["entra-okta-agent"]   an Entra ID agent (client secret) on Microsoft 365 / Azure, Okta, no AWS

Modules are imported when asked for, so ``irkit synth`` stays fast.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from ...errors import UsageError

SCENARIOS: dict[str, str] = {
    "coding-agent-gcp": "irkit.synth.scenarios.coding_agent_gcp",
    "entra-okta-agent": "irkit.synth.scenarios.entra_okta_agent",
}
# what sample_data/ holds; `irkit synth`'s default
DEFAULT_SEEDS: dict[str, int] = {"coding-agent-gcp": 7, "entra-okta-agent": 7}


def scenario(name: str) -> ModuleType:
    try:
        return importlib.import_module(SCENARIOS[name])
    except KeyError:
        raise UsageError(f"unknown scenario {name!r}; known: {', '.join(sorted(SCENARIOS))}") from None


def generate(name: str, out_dir: Path, seed: int | None = None) -> Path:
    """Write scenario `name` into `out_dir` with `seed` (its committed seed when None)."""
    module = scenario(name)
    return module.generate(Path(out_dir), DEFAULT_SEEDS[name] if seed is None else seed)  # type: ignore[no-any-return]


__all__ = ["SCENARIOS", "generate", "scenario"]
