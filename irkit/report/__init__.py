"""The HTML incident report: one self-contained file a manager can open offline.

``case.report(suspect=..., out=...)`` gathers the findings (:mod:`irkit.report.findings`), words the
manager's summary (:mod:`irkit.report.summary`) and renders ``templates/report.html.j2`` with
autoescaping on (:mod:`irkit.report.builder`).
"""

from __future__ import annotations

from irkit.report.builder import build, render, write
from irkit.report.findings import Findings, gather, incident_window

__all__ = ["Findings", "build", "gather", "incident_window", "render", "write"]
