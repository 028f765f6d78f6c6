"""Acquisition: pull each plane's audit trail from its API into a case's ``evidence/``, byte for byte,
with a collection log (the chain of custody and the checkpoint), resumable after any interruption.

One module per source, registered here by one line and imported only when used; the vendors' clients
(boto3, httpx, google-auth, azure-identity) are the optional extra ``irkit[collect]``, imported inside the
collectors, so ``import irkit`` and the rest of the CLI work without them. ``irkit ingest CASE
CASE/evidence`` reads what was collected with the ordinary loaders. See ``docs/collect.md``.
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

from irkit.errors import UsageError

#: source name -> module
REGISTRY: dict[str, str] = {
    "aws-s3": "irkit.collect.aws_s3",
    "aws-lookup": "irkit.collect.aws_lookup",
    "okta": "irkit.collect.okta",
    "github": "irkit.collect.github",
    "entra": "irkit.collect.entra",
    "azure-activity": "irkit.collect.azure_activity",
    "gcp-logging": "irkit.collect.gcp_logging",
}
#: What each source needs installed (the ``collect`` extra).
NEEDS = {"aws-s3": "boto3", "aws-lookup": "boto3"}
EXTRA_HINT = "pip install 'irkit[collect]'"


def module(name: str) -> ModuleType:
    if name not in REGISTRY:
        raise UsageError(f"no collector called {name!r}; known: {', '.join(REGISTRY)}")
    return importlib.import_module(REGISTRY[name])


def _require(name: str) -> None:
    wanted = NEEDS.get(name, "httpx")
    try:
        importlib.import_module(wanted)
    except ImportError:
        raise UsageError(f"collect {name} needs {wanted}, which is not installed: {EXTRA_HINT}") from None


def collect(case: str | Path, name: str, args: argparse.Namespace, *, since: Any = None, until: Any = None,
            progress: bool | None = None, fresh: bool = False) -> dict[str, Any]:
    """Run (or resume) one collection into the case folder; returns a summary per stream."""
    from irkit.case import open_case
    from irkit.collect.base import Progress, Window
    from irkit.collect.store import Job, now_iso
    from irkit.timeutil import parse_time

    source = module(name)
    _require(name)
    root = open_case(case, create=True).root
    start, end = parse_time(since, "--since"), parse_time(until, "--until")
    params = {**source.params(args), "since": start.isoformat() if start else None,
              "until": end.isoformat() if end else None}
    if fresh:
        params["run"] = now_iso()
    optional = getattr(source, "WINDOW_OPTIONAL", False) and start is None and end is None
    window = None if optional else Window.resolve(start, end, source.RETENTION_DAYS)
    job = Job(root, source.NAME, params, source.VERSION, window=window.to_json() if window else {}).open()
    try:
        if job.window:
            window = Window.from_json(job.window)
        complete = job.folder / "complete"
        if complete.exists():
            return {"job": job.id, "status": "already complete (--fresh collects again)", "streams": _streams(job)}
        bar = Progress(progress)
        try:
            source.run(job, args, window, bar)
        finally:
            bar.close()
        complete.write_text(now_iso() + "\n")
        return {"job": job.id, "status": "complete", "window": job.window or None, "streams": _streams(job)}
    finally:
        job.close()


def _streams(job: Any) -> dict[str, Any]:
    return {name: {"pages": s.pages, "records": s.records, "first": s.first_time, "last": s.last_time,
                   "done": s.done} for name, s in sorted(job.streams.items())}
