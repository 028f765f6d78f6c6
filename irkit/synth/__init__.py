"""Synthetic evidence: the sample invoice-agent incident and multi-source scale data.

Everything is derived from a seed (``random.Random``), never from the clock, so the same seed writes
byte-identical files. Records are in each vendor's native format (CloudTrail S3 delivery files,
Okta System Log, GitHub audit log, Kubernetes audit, an MCP gateway log, OTLP/JSON GenAI spans), under
the output's ``evidence/`` folder; inventory.yaml, incident.yaml and ground_truth.json sit beside it.

    generate_sample(out_dir, seed=7) -> Path     the committed sample_data/invoice-agent-incident
    generate_scale(out_dir, events, seed=7) -> dict   the same sources at any size, streamed
"""

from __future__ import annotations

from .sample import generate_sample
from .scale import generate_scale

__all__ = ["generate_sample", "generate_scale"]
