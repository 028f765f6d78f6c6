"""Ingest throughput and memory, as ratios against baselines measured in the same run.

    python bench/ingest.py [--records 500000] [--sources cloudtrail,okta,otel_genai] [--skip-pandas]

Generates CloudTrail JSON lines (heterogeneous requestParameters: the same key a string in one event
and an object in another), then times, each in its own process so peak RSS is its own:

* irkit      ``irkit.open_case(...).ingest(...)`` (raw kept, hashes, provenance, dedup, manifest)
* reference  DuckDB ``read_ndjson_objects`` + one ``json_transform`` to a fixed struct + COPY to
             Parquet (zstd) keeping the raw text (the DESIGN.md ceiling for a full normalization)
* pandas     ``json_normalize`` + ``to_parquet`` (what many teams start with)
* irkit S3   irkit on the same records as gzip'd ``{"Records": [...]}`` delivery files (the shape
             CloudTrail writes to S3; MB/s counted over their uncompressed JSON)

and the other loaders named in ``--sources`` over data of the same size from ``irkit synth``.
Targets (2 cores): irkit >= 0.9x the reference, >= 10x pandas, peak RSS < 2 GB.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def generate_cloudtrail(path: Path, records: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as out:
        for i in range(records):
            kind = rng.random()
            if kind < 0.5:
                name, source, params = "GetObject", "s3.amazonaws.com", {
                    "bucketName": f"bucket-{rng.randrange(50)}", "key": f"data/{rng.randrange(10**6)}.json",
                    "Host": "s3.amazonaws.com"}
            elif kind < 0.7:
                name, source, params = "DescribeInstances", "ec2.amazonaws.com", {
                    "instancesSet": {"items": [{"instanceId": f"i-{rng.randrange(16**8):08x}"}]},
                    "filterSet": "" if rng.random() < 0.5 else {"items": [{"name": "tag:env", "valueSet": {"items": [{"value": "prod"}]}}]}}
            elif kind < 0.8:
                name, source, params = "AssumeRole", "sts.amazonaws.com", {
                    "roleArn": f"arn:aws:iam::123456789012:role/role-{rng.randrange(20)}",
                    "roleSessionName": f"s-{rng.randrange(1000)}", "durationSeconds": str(3600)}
            else:
                name, source, params = "PutItem", "dynamodb.amazonaws.com", {
                    "tableName": f"t{rng.randrange(9)}", "key": {"pk": {"S": str(rng.randrange(10**9))}}}
            role = f"role-{rng.randrange(20)}"
            event = {
                "eventVersion": "1.09",
                "userIdentity": {
                    "type": "AssumedRole", "principalId": f"AROAEXAMPLE{rng.randrange(99):02d}:s{rng.randrange(99)}",
                    "arn": f"arn:aws:sts::123456789012:assumed-role/{role}/s{rng.randrange(99)}",
                    "accountId": "123456789012", "accessKeyId": f"ASIA{rng.randrange(16**12):012X}EX",
                    "sessionContext": {
                        "sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLE", "arn": f"arn:aws:iam::123456789012:role/{role}",
                                          "accountId": "123456789012", "userName": role},
                        "attributes": {"creationDate": "2026-11-10T10:00:00Z", "mfaAuthenticated": "false"}}},
                "eventTime": f"2026-11-{10 + i * 7 // records:02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}Z",
                "eventSource": source, "eventName": name, "awsRegion": "us-east-1",
                "sourceIPAddress": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}",
                "userAgent": "aws-sdk-go-v2/1.30.0 os/linux lang/go#1.22",
                "requestParameters": params, "responseElements": None,
                "requestID": f"{rng.randrange(16**16):016X}", "eventID": f"{rng.randrange(16**32):032x}",
                "readOnly": rng.choice([True, "true", False]), "eventType": "AwsApiCall",
                "managementEvent": name != "GetObject", "recipientAccountId": "123456789012",
                "eventCategory": "Data" if name == "GetObject" else "Management",
            }
            out.write(json.dumps(event, separators=(",", ":")) + "\n")


IRKIT = """
import sys, irkit
case = irkit.open_case(sys.argv[2] + "/case")
s = case.ingest([sys.argv[1]], progress=False)
assert s.balanced
print(s.loaded)
"""

REFERENCE = """
import sys, duckdb
con = duckdb.connect()
con.execute(f'''COPY (
  SELECT json AS raw, json_transform(json, '{{"eventTime":"VARCHAR","eventName":"VARCHAR","eventSource":"VARCHAR",
     "eventID":"VARCHAR","sourceIPAddress":"VARCHAR","userAgent":"VARCHAR","errorCode":"VARCHAR",
     "userIdentity":{{"type":"VARCHAR","arn":"VARCHAR","accessKeyId":"VARCHAR","sessionContext":{{"sessionIssuer":{{"arn":"VARCHAR"}}}}}},
     "requestParameters":"JSON","responseElements":"JSON","resources":[{{"ARN":"VARCHAR","type":"VARCHAR"}}]}}') AS e
  FROM read_ndjson_objects('{sys.argv[1]}')
) TO '{sys.argv[2]}/ref.parquet' (FORMAT parquet, COMPRESSION zstd)''')
print(con.execute(f"SELECT count(*) FROM '{sys.argv[2]}/ref.parquet'").fetchone()[0])
"""

PANDAS = """
import sys, json, pandas as pd
with open(sys.argv[1]) as fh:
    rows = [json.loads(line) for line in fh]
frame = pd.json_normalize(rows, max_level=1)
frame = frame.astype(str)
frame.to_parquet(sys.argv[2] + '/pandas.parquet')
print(len(frame))
"""


def write_delivery_files(lines: Path, folder: Path, per_file: int = 2000) -> None:
    """The same records as CloudTrail delivers them to S3: gzip'd one-line ``{"Records": [...]}`` files."""
    folder.mkdir(parents=True)
    with open(lines, encoding="utf-8") as fh:
        batch: list[str] = []
        for number, line in enumerate(fh, 1):
            batch.append(line.rstrip("\n"))
            if len(batch) == per_file:
                _write_delivery(folder / f"part-{number:09d}.json.gz", batch)
                batch = []
        if batch:
            _write_delivery(folder / "part-last.json.gz", batch)


def _write_delivery(path: Path, records: list[str]) -> None:
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        out.write('{"Records":[' + ",".join(records) + "]}")


def run(script: str, src: Path, work: Path, size_bytes: int | None = None) -> dict[str, float]:
    (work / "out").mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", script, str(src), str(work / "out")], stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    out = proc.stdout.read() if proc.stdout else ""
    if status != 0:
        raise SystemExit(f"benchmark step failed: {out}")
    size = size_bytes or sum(p.stat().st_size for p in ([src] if src.is_file() else src.rglob("*")) if p.is_file())
    rows = int(out.strip().splitlines()[-1])
    return {"seconds": seconds, "mb": size / 1e6, "mb_s": size / 1e6 / seconds, "rec_s": rows / seconds, "rss_gb": usage.ru_maxrss / 1024**2, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=500_000)
    parser.add_argument("--sources", default="cloudtrail,okta,otel_genai", help="comma list: cloudtrail plus loaders to time on synth data")
    parser.add_argument("--skip-pandas", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="irkit-bench-") as tmp:
        root = Path(tmp)
        data = root / "cloudtrail.jsonl"
        generate_cloudtrail(data, args.records)
        size = data.stat().st_size / 1e6
        print(f"CloudTrail JSON lines: {args.records:,} records, {size:,.0f} MB")
        results = {"reference": run(REFERENCE, data, root / "ref"), "irkit": run(IRKIT, data, root / "irkit")}
        write_delivery_files(data, root / "delivery")
        results["irkit S3"] = run(IRKIT, root / "delivery", root / "irkit-s3", size_bytes=data.stat().st_size)
        if not args.skip_pandas:
            results["pandas"] = run(PANDAS, data, root / "pandas")
        for name, r in results.items():
            print(f"  {name:<10} {r['seconds']:7.1f} s {r['mb_s']:8.1f} MB/s {r['rec_s']:10,.0f} rec/s  peak RSS {r['rss_gb']:.2f} GB")
        ref, ours = results["reference"], results["irkit"]
        print(f"  irkit / reference throughput: {ours['mb_s'] / ref['mb_s']:.2f}x (target >= 0.9x)")
        print(f"  irkit on S3 delivery files (gzip'd, MB/s of their JSON) / JSON lines: "
              f"{results['irkit S3']['mb_s'] / ours['mb_s']:.2f}x")
        if "pandas" in results:
            print(f"  irkit / pandas throughput:    {ours['mb_s'] / results['pandas']['mb_s']:.1f}x (target >= 10x)")
        others = [s for s in args.sources.split(",") if s and s != "cloudtrail"]
        if others:
            from irkit import synth

            synth_dir = root / "synth"
            synth.generate_scale(synth_dir, events=args.records, seed=3)
            # The small synthetic logs take seconds, of which starting Python and DuckDB is a fixed part:
            # measured on an empty folder and taken off both sides of the comparison.
            (root / "empty").mkdir()
            startup = run(IRKIT, root / "empty", root / "irkit-empty", size_bytes=1)["seconds"]
            ct_net = ours["seconds"] - startup
            print(f"  (start-up of an empty ingest: {startup:.1f} s, taken off the per-loader ratios)")
            for source in others:
                folder = _source_folder(synth_dir, source)
                if folder is None:
                    print(f"  {source}: no synthetic data for it")
                    continue
                r = run(IRKIT, folder, root / f"irkit-{source}")
                net = (r["mb"] / (r["seconds"] - startup)) / (ours["mb"] / ct_net)
                print(f"  {source:<10} {r['seconds']:7.1f} s {r['mb_s']:8.1f} MB/s {r['rec_s']:10,.0f} rec/s  peak RSS {r['rss_gb']:.2f} GB"
                      f"  ({r['mb_s'] / ours['mb_s']:.2f}x CloudTrail's MB/s; {net:.2f}x without start-up)")


def _source_folder(root: Path, source: str) -> Path | None:
    """The synthetic data's folder of one loader: generate_scale writes the logs under root/evidence/."""
    names = {"okta": "okta", "otel_genai": "otel", "github_audit": "github", "k8s_audit": "k8s", "mcp": "mcp"}
    folder = root / "evidence" / names.get(source, source)
    return folder if folder.exists() else None


if __name__ == "__main__":
    main()
