"""Analysis speed on scale data, each step beside a plain polars/DuckDB reference query in the same run.

    python bench/analysis.py [--events 1000000] [--case DIR] [--keep DIR] [--steps sessions,attribution,...]

Generates ``irkit synth OUT --events N`` (the sample's company and incident under background noise),
ingests it with its inventory and incident file (or reuses ``--case``), then times each step in its own
process so its peak RSS is its own. Time is the step itself (the case is opened before the clock starts).

=============  ===================================================  ==============================================
step           irkit                                                reference (what a hurried analyst would write)
=============  ===================================================  ==============================================
sessions       ``case.sessions()``: every identity                  polars: actor_uid + gap cut (diff/cum_sum) only
attribution    ``case.attribute('invoice-agent')``                  DuckDB ASOF join of the role's API calls to the
                                                                    agent's tool spans, no chain, no ambiguity
blast_radius   ``case.blast_radius(suspect, since=compromise)``:    DuckDB GROUP BY (actor, target) + NetworkX BFS,
               edges in DuckDB, graph, time-respecting reach        no time order, no credentials
blast_all      the same from the start of the lake (every edge)     same, whole lake
triggers       ``case.triggers()``: every agent, 30-day baseline    DuckDB: (identity, target) first seen in the
                                                                    window and never before (one rule, no scope)
=============  ===================================================  ==============================================

Targets (2 cores, 10M events): sessions <= 10 s and attribution <= 5 s (issue 5); edges + graph + blast
radius <= 10 s under 4 GB RSS, triggers for all agents <= 15 s (issue 6). Do not run 10M in the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

PRELUDE = """
import sys, time, json
sys.path.insert(0, {root!r})
import irkit
case = irkit.open_case(sys.argv[1], create=False)
case.con  # views set up before the clock starts
truth = json.load(open(sys.argv[2]))
compromise = truth["times"]["compromise"]
started = time.perf_counter()
"""
FINISH = """
print(json.dumps({"seconds": time.perf_counter() - started, "rows": int(rows)}))
"""

IRKIT = {
    "sessions": "rows = case.sessions().height",
    "attribution": "rows = case.attribute('invoice-agent').height",
    "blast_radius": "r = case.blast_radius('invoice-agent', since=compromise); rows = r.graph.number_of_nodes()",
    "blast_all": "r = case.blast_radius('invoice-agent', since='1970-01-01T00:00:00Z'); rows = r.graph.number_of_nodes()",
    "triggers": "rows = case.triggers().height",
}

REFERENCE = {
    "sessions": """
import polars as pl
ev = case.sql("SELECT actor_uid, time FROM events WHERE actor_uid IS NOT NULL").sort("actor_uid", "time")
ev = ev.with_columns(((pl.col("time").diff().over("actor_uid") > pl.duration(minutes=30)).fill_null(True))
                     .cum_sum().over("actor_uid").alias("n"))
rows = ev.group_by("actor_uid", "n").agg(pl.len(), pl.col("time").min().alias("start"), pl.col("time").max().alias("end")).height
""",
    "attribution": """
rows = case.con.execute('''
WITH api AS (SELECT e.time, e.event_uid FROM events e JOIN actors a USING (actor_uid)
             WHERE a.identity_id = 'invoice-agent' AND e.source NOT IN ('otel_genai', 'mcp')),
     calls AS (SELECT time, event_uid AS call FROM events WHERE source = 'otel_genai' AND class_name = 'tool_call')
SELECT count(*) FROM api ASOF LEFT JOIN calls ON api.time >= calls.time''').fetchall()[0][0]
""",
    "blast_radius": """
import networkx as nx
edges = case.con.execute('''SELECT actor_uid, target_uid, count(*) FROM events
    WHERE time >= CAST($t AS TIMESTAMPTZ) AND actor_uid IS NOT NULL AND target_uid IS NOT NULL GROUP BY ALL''', {"t": compromise}).fetchall()
g = nx.DiGraph(); g.add_edges_from((a, b) for a, b, _ in edges)
starts = [r[0] for r in case.con.execute("SELECT actor_uid FROM actors WHERE identity_id = 'invoice-agent'").fetchall() if r[0] in g]
rows = len(set().union(*[nx.descendants(g, s) for s in starts])) if starts else 0
""",
    "blast_all": """
import networkx as nx
edges = case.con.execute('''SELECT actor_uid, target_uid, count(*) FROM events
    WHERE actor_uid IS NOT NULL AND target_uid IS NOT NULL GROUP BY ALL''').fetchall()
g = nx.DiGraph(); g.add_edges_from((a, b) for a, b, _ in edges)
starts = [r[0] for r in case.con.execute("SELECT actor_uid FROM actors WHERE identity_id = 'invoice-agent'").fetchall() if r[0] in g]
rows = len(set().union(*[nx.descendants(g, s) for s in starts])) if starts else 0
""",
    "triggers": """
since = case.incident.detected_at.isoformat()
rows = case.con.execute('''
WITH e AS (SELECT a.identity_id, e.target_uid, e.time FROM events e JOIN actors a USING (actor_uid)
           WHERE e.target_uid IS NOT NULL AND e.time >= CAST($s AS TIMESTAMPTZ) - INTERVAL 30 DAY),
     before AS (SELECT DISTINCT identity_id, target_uid FROM e WHERE time < CAST($s AS TIMESTAMPTZ) - INTERVAL 1 DAY)
SELECT count(*) FROM (SELECT identity_id, target_uid, min(time) FROM e WHERE time >= CAST($s AS TIMESTAMPTZ) - INTERVAL 1 DAY
                      GROUP BY ALL) w ANTI JOIN before USING (identity_id, target_uid)''', {"s": since}).fetchall()[0][0]
""",
}

TARGETS = {"sessions": 10.0, "attribution": 5.0, "blast_radius": 10.0, "blast_all": 10.0, "triggers": 15.0}


def run_measured(script: str, case: Path, truth: Path) -> dict[str, float]:
    """Run one step in its own process; its time (from inside) and its own peak RSS (``wait4``)."""
    code = PRELUDE.format(root=str(ROOT)) + script + FINISH
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([sys.executable, "-c", code, str(case), str(truth)], stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"benchmark step failed:\n{err.read()[-3000:]}")
        result = json.loads(out.read().strip().splitlines()[-1])
    result["rss_gb"] = usage.ru_maxrss / 1024**2
    return result


def prepare(events: int, folder: Path) -> tuple[Path, Path]:
    sys.path.insert(0, str(ROOT))
    import irkit
    from irkit import synth

    data = folder / "synth"
    if not (data / "ground_truth.json").exists():  # a kept folder is generated once
        started = time.perf_counter()
        synth.generate_scale(data, events=events, seed=7)
        print(f"generated {events:,} events in {time.perf_counter() - started:.0f} s", flush=True)
    case = irkit.open_case(folder / "case")
    started = time.perf_counter()
    evidence = [data / "evidence"] if (data / "evidence").is_dir() else \
        [data / name for name in ("aws", "okta", "github", "k8s", "mcp", "otel") if (data / name).exists()]
    summary = case.ingest(evidence, progress=False)
    print(f"ingested {summary.loaded:,} events in {time.perf_counter() - started:.0f} s", flush=True)
    case.use_inventory(data / "inventory.yaml")
    case.use_incident(data / "incident.yaml")
    return folder / "case", data / "ground_truth.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--case", help="an already ingested scale case (its synth folder beside it, as --keep leaves it)")
    parser.add_argument("--keep", help="generate and ingest into this folder and keep it for later --case runs")
    parser.add_argument("--steps", default=",".join(IRKIT), help=f"comma list of {', '.join(IRKIT)}")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="irkit-bench-") as tmp:
        if args.case:
            case, truth = Path(args.case), Path(args.case).parent / "synth" / "ground_truth.json"
        else:
            folder = Path(args.keep) if args.keep else Path(tmp)
            folder.mkdir(parents=True, exist_ok=True)
            case, truth = prepare(args.events, folder)
        print(f"{'step':<13} {'irkit s':>8} {'ref s':>7} {'irkit/ref':>9} {'RSS GB':>7} {'target':>8}  rows (irkit / ref)")
        for step in [s for s in args.steps.split(",") if s]:
            ours = run_measured(IRKIT[step], case, truth)
            ref = run_measured(REFERENCE[step], case, truth)
            ok = "ok" if ours["seconds"] <= TARGETS[step] else "SLOW"
            print(f"{step:<13} {ours['seconds']:8.2f} {ref['seconds']:7.2f} {ours['seconds'] / ref['seconds']:8.1f}x "
                  f"{ours['rss_gb']:7.2f} {TARGETS[step]:6.0f} s {ok:<4} {ours['rows']:,} / {ref['rows']:,}", flush=True)


if __name__ == "__main__":
    main()
