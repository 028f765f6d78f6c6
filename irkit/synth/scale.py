"""Scale data: the sample's company and incident, plus background noise sized to `events`.

Streams in 10-minute slices (memory follows one slice, not the total). The noise's CloudTrail part,
the bulk of the volume, is written to its own delivery files and can run in a second process; the
output is identical whether it does or not. CloudTrail files hold at most 5,000 records and are
gzip'd at level 1 for speed (the format is the same).
"""

from __future__ import annotations

import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from ._util import DAY
from .background import background_day
from .cast import build_cast
from .cloudtrail import CloudTrailWriter
from .context import PERIOD_END, PERIOD_START, Ctx
from .inventory import build_inventory, dump_inventory
from .noise import SLICE, Noise, inventory_entries
from .otel import OtelWriter
from .sample import EVIDENCE, clear, make_writers
from .sinks import Sinks
from .story import build_story
from .truth import ground_truth, incident_yaml

BASE_RECORDS = 4_500  # what the sample's company and story write on their own (records + spans)
MAX_PER_FILE = 5000
GZIP_LEVEL = 1


def _summary(writers: dict[str, Any], counts: dict[str, int]) -> dict[str, dict[str, int]]:
    return {"counts": counts, "files": {k: len(w.files) for k, w in writers.items()},
            "bytes": {k: sum(f.stat().st_size for f in w.files) for k, w in writers.items()},
            "duplicates": {"cloudtrail": writers["cloudtrail"].duplicates}}


def _noise_cloudtrail(out: str, noise: int, seed: int) -> dict[str, dict[str, int]]:
    """The noise's CloudTrail records, in their own delivery files (run here or in a worker)."""
    writer = CloudTrailWriter(Path(out) / EVIDENCE / "aws", seed, max_per_file=MAX_PER_FILE, duplicate_every=500,
                              level=GZIP_LEVEL, name_key="noise")
    sinks = Sinks({"cloudtrail": writer})
    gen = Noise(Ctx(build_cast(seed), sinks, seed), noise, PERIOD_START, PERIOD_END, sources=("cloudtrail",))
    for t in range(PERIOD_START, PERIOD_END, SLICE):
        gen.slice(t)
        sinks.flush(t + SLICE)
    sinks.close()
    return _summary({"cloudtrail": writer}, dict(sinks.counts))


def generate_scale(out_dir: Path, events: int, seed: int = 7, workers: int | None = None) -> dict[str, Any]:
    """Write about `events` records (an OTel span counts as one) across all sources into `out_dir`:
    the logs under `out_dir`/evidence/, inventory.yaml, incident.yaml and ground_truth.json beside it.

    Returns ``{"events": total, "counts": {source: n}, "files": {source: n}, "bytes": {source: n},
    "duplicates": {"cloudtrail": n}}``: counts are distinct records; CloudTrail's files also hold
    `duplicates` re-delivered copies, as CloudTrail does.
    `workers` (default: 2 from 200,000 events) only changes speed, never the output.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    clear(out)
    noise = max(0, events - BASE_RECORDS)
    workers = workers or (2 if events >= 200_000 else 1)
    pool = future = None
    if workers > 1:
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        future = pool.submit(_noise_cloudtrail, str(out), noise, seed)

    cast = build_cast(seed)
    writers = make_writers(out, seed, max_per_file=MAX_PER_FILE, duplicate_every=500, gzip_level=GZIP_LEVEL)
    sinks = Sinks(writers)
    ctx = Ctx(cast, sinks, seed)
    story = build_story(ctx)
    gen = Noise(ctx, noise, PERIOD_START, PERIOD_END, sources=tuple(s for s in Noise.SOURCES if s != "cloudtrail"))
    for day in range(PERIOD_START, PERIOD_END, DAY):
        background_day(ctx, day)
        for t in range(day, day + DAY, SLICE):
            gen.slice(t)
            sinks.flush(t + SLICE)
    sinks.close()
    (out / "inventory.yaml").write_text(dump_inventory(build_inventory(cast, inventory_entries(gen.pop))))
    (out / "incident.yaml").write_text(incident_yaml(story))
    (out / "ground_truth.json").write_text(json.dumps(ground_truth(story), indent=2, ensure_ascii=False) + "\n")
    otel = writers["otel"]
    assert isinstance(otel, OtelWriter)
    result = _summary(writers, {**sinks.counts, "otel": otel.spans})

    if future is not None and pool is not None:
        extra = future.result()
        pool.shutdown()
    else:
        extra = _noise_cloudtrail(str(out), noise, seed)
    for key in ("counts", "files", "bytes", "duplicates"):
        result[key]["cloudtrail"] += extra[key]["cloudtrail"]
    return {"events": sum(result["counts"].values()), **result}


if __name__ == "__main__":  # python -m irkit.synth.scale OUT EVENTS [SEED]
    import sys

    print(json.dumps(generate_scale(Path(sys.argv[1]), int(sys.argv[2]),
                                    int(sys.argv[3]) if len(sys.argv) > 3 else 7), indent=2))
