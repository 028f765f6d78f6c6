"""Scale data (placeholder until the noise generator lands)."""

from __future__ import annotations

from pathlib import Path


def generate_scale(out_dir: Path, events: int, seed: int = 7) -> dict:
    raise NotImplementedError
