"""The committed sample: 16 days of ACME with the invoice-agent incident, in native formats."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ..errors import UsageError
from ._util import DAY
from .background import background_day
from .cast import CLUSTER, build_cast
from .cloudtrail import CloudTrailWriter
from .context import PERIOD_END, PERIOD_START, Ctx
from .inventory import build_inventory, dump_inventory
from .otel import OtelWriter
from .sinks import JsonlWriter, Sinks, Writer
from .story import build_story
from .truth import ground_truth, incident_yaml, readme

# The native logs go under evidence/ (what a responder ingests); the inventory, the incident file, the
# answer key and the README stay at the top, out of the evidence.
EVIDENCE = "evidence"
GENERATED = (EVIDENCE, "inventory.yaml", "incident.yaml", "ground_truth.json", "README.md",
             # the layout before evidence/: the log folders at the top
             "aws", "okta", "github", "k8s", "mcp", "otel")


def make_writers(out: Path, seed: int, *, max_per_file: int = 5000, duplicate_every: int = 0,
                 gzip_level: int = 6) -> dict[str, Writer]:
    """The per-source writers of an output folder `out` (its logs go to `out`/evidence/)."""
    out = out / EVIDENCE
    return {
        "cloudtrail": CloudTrailWriter(out / "aws", seed, max_per_file=max_per_file,
                                       duplicate_every=duplicate_every, level=gzip_level),
        "okta": JsonlWriter(out / "okta" / "system_log.jsonl"),
        "github": JsonlWriter(out / "github" / "audit_log.jsonl"),
        "k8s": JsonlWriter(out / "k8s" / CLUSTER / "audit.log"),
        "mcp": JsonlWriter(out / "mcp" / "gateway.jsonl"),
        "otel": OtelWriter(out / "otel"),
    }


def clear(out: Path) -> None:
    """Remove what a previous run generated here (and only that). A folder holding anything else and
    no ground_truth.json is not ours: refuse rather than delete someone's README."""
    if any(out.iterdir()) and not (out / "ground_truth.json").is_file():
        raise UsageError(f"{out} is not empty and holds no generated sample; choose a new folder", path=out)
    for name in GENERATED:
        p = out / name
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()


def span_count(out: Path) -> int:
    return sum(f.read_bytes().count(b'"spanId"') for f in sorted((out / EVIDENCE / "otel").glob("traces-*.json")))


def folder_size(out: Path) -> int:
    return sum(f.stat().st_size for f in out.rglob("*") if f.is_file())


def generate_sample(out_dir: Path, seed: int = 7) -> Path:
    """Write the sample incident into `out_dir` (created if needed) and return it."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    clear(out)
    cast = build_cast(seed)
    writers = make_writers(out, seed, duplicate_every=70)
    sinks = Sinks(writers)
    ctx = Ctx(cast, sinks, seed)
    story = build_story(ctx)
    for day in range(PERIOD_START, PERIOD_END, DAY):
        background_day(ctx, day)
        sinks.flush(day + DAY)
    sinks.close()
    gt = ground_truth(story)
    (out / "inventory.yaml").write_text(dump_inventory(build_inventory(cast)))
    (out / "incident.yaml").write_text(incident_yaml(story))
    (out / "ground_truth.json").write_text(json.dumps(gt, indent=2, ensure_ascii=False) + "\n")
    counts = dict(sinks.counts)
    counts["otel_spans"] = span_count(out)
    (out / "README.md").write_text(readme(story, gt, counts, folder_size(out)))
    return out


if __name__ == "__main__":  # python -m irkit.synth.sample [out_dir] [seed]
    import sys

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("sample_data/invoice-agent-incident")
    print(generate_sample(target, int(sys.argv[2]) if len(sys.argv) > 2 else 7))
