"""AWS collectors against real servers on the loopback: moto in server mode for S3 (boto3 over HTTP),
and a CloudTrail JSON-protocol server replaying LookupEvents pages made from the sample's events."""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import irkit
from tests.collect.helpers import collect, ingest_evidence, log_lines, saved_pages
from tests.collect.servers import SAMPLE, Reply, aws_env, jbytes, moto_server, replay_server, upload_sample

pytest.importorskip("boto3")
pytest.importorskip("moto")
logging.getLogger("werkzeug").setLevel(logging.ERROR)


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    aws_env(monkeypatch)
    monkeypatch.setenv("IRKIT_COLLECT_WAIT_SCALE", "0.001")


@pytest.fixture(scope="module")
def moto_with_sample() -> Any:
    import os

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing-secret")
    with moto_server() as endpoint:
        count = upload_sample(endpoint, "acme-trail")
        upload_sample(endpoint, "acme-org-trail", prefix="org", days=("2026/11/08", "2026/11/09", "2026/11/10",
                                                                   "2026/11/11"))
        upload_sample(endpoint, "acme-org", days=("2026/11/10",), org="o-a1b2c3d4e5")
        yield endpoint, count


def _direct_case(tmp: Path) -> irkit.Case:
    case = irkit.open_case(tmp / "direct")
    case.ingest([SAMPLE / "aws"], progress=False)
    return case


def test_s3_collection_ingests_to_the_same_events_as_the_files(tmp_path: Path, moto_with_sample: Any,
                                                               sample_case: irkit.Case) -> None:
    endpoint, count = moto_with_sample
    case = tmp_path / "C"
    assert collect("aws-s3", "--case", str(case), "--bucket", "acme-trail", "--endpoint-url", endpoint) == 0
    pages = saved_pages(case)
    assert len(pages) == count == 281
    originals = {p.relative_to(SAMPLE / "aws").as_posix(): p for p in (SAMPLE / "aws").rglob("*.gz")}
    for page in pages:  # byte for byte: each saved object is the delivered file
        key = page.as_posix().split("/acme-trail/", 1)[1]
        assert page.read_bytes() == originals[key].read_bytes()
    log = [e for e in log_lines(case) if e.get("file")]
    assert len(log) == 281 and len({e["file"] for e in log}) == 281
    assert all(e["sha256"] == hashlib.sha256((case / e["file"]).read_bytes()).hexdigest() for e in log)
    assert all(e["method"] == "GET" and e["status"] == 200 and e["headers"]["etag"] for e in log)
    opened, summary = ingest_evidence(case)
    columns = "event_uid, source, operation, time, actor_uid, target_uid, evidence_sha256, evidence_path, raw"
    ours = opened.sql(f"SELECT {columns} FROM events ORDER BY event_uid")
    theirs = sample_case.sql(f"SELECT {columns} FROM events WHERE source = 'cloudtrail' ORDER BY event_uid")
    assert ours.height == theirs.height == 2408
    assert ours.equals(theirs)
    assert summary.duplicates == 4 and summary.quarantined == 0  # the sample's event delivered twice


def test_s3_window_prefix_and_rerun(tmp_path: Path, moto_with_sample: Any) -> None:
    endpoint, _ = moto_with_sample
    case = tmp_path / "C"
    argv = ["aws-s3", "--case", str(case), "--bucket", "acme-org-trail", "--prefix", "org",
            "--endpoint-url", endpoint, "--since", "2026-11-10T00:00:00Z", "--until", "2026-11-10T23:59:59Z"]
    assert collect(*argv) == 0
    keys = sorted(p.name for p in saved_pages(case))
    # the day before --since and the day of --until: 2026-11-09 and 2026-11-10 folders only
    expected = sorted(p.name for p in (SAMPLE / "aws").rglob("*.gz")
                      if "/2026/11/09/" in p.as_posix() or "/2026/11/10/" in p.as_posix())
    assert keys == expected and len(keys) > 10
    before = log_lines(case)
    assert collect(*argv) == 0  # the same job, complete: nothing fetched again
    assert log_lines(case) == before
    opened, _ = ingest_evidence(case)
    day = opened.sql("SELECT count(*) AS n FROM events WHERE time >= '2026-11-10' AND time < '2026-11-11'")
    direct = _direct_case(tmp_path).sql(
        "SELECT count(*) AS n FROM events WHERE time >= '2026-11-10' AND time < '2026-11-11'")
    assert day["n"][0] == direct["n"][0] > 0


def test_s3_resumes_after_the_last_logged_key(tmp_path: Path, moto_with_sample: Any) -> None:
    """A collection cut after its 9th file (the log and evidence as a kill would leave them) resumes
    with ListObjectsV2 StartAfter the 9th key: days behind it skipped, no file fetched twice."""
    endpoint, _ = moto_with_sample
    case = tmp_path / "C"
    argv = ["aws-s3", "--case", str(case), "--bucket", "acme-org-trail", "--prefix", "org",
            "--endpoint-url", endpoint, "--since", "2026-11-09T00:00:00Z", "--until", "2026-11-11T23:59:59Z"]
    assert collect(*argv) == 0
    full = log_lines(case)
    files = [e for e in full if e.get("file")]
    assert len(files) > 30
    log = next((case / "collection").glob("*/log.jsonl"))
    kept = log.read_text().splitlines(keepends=True)[:9]
    log.write_text("".join(kept))
    for entry in files[9:]:
        (case / entry["file"]).unlink()
    (log.parent / "complete").unlink()
    assert collect(*argv) == 0
    again = [e for e in log_lines(case) if e.get("file")]
    assert [e["file"] for e in again] == [e["file"] for e in files]  # the same files, in order, once each
    assert [e["sha256"] for e in again] == [e["sha256"] for e in files]
    assert len(saved_pages(case)) == len(files)


def test_lookup_regions_default_to_the_enabled_ones(moto_with_sample: Any) -> None:
    import argparse

    from irkit.collect import aws_lookup

    endpoint, _ = moto_with_sample
    args = argparse.Namespace(regions=None, profile=None, region="us-east-1", endpoint_url=endpoint)
    regions = aws_lookup._regions(args)  # ec2:DescribeRegions, answered by moto
    assert {"us-east-1", "eu-west-1", "ap-southeast-2"} <= set(regions) and regions == sorted(regions)


def test_s3_organization_trail(tmp_path: Path, moto_with_sample: Any) -> None:
    endpoint, _ = moto_with_sample
    case = tmp_path / "C"
    assert collect("aws-s3", "--case", str(case), "--bucket", "acme-org", "--endpoint-url", endpoint,
                   "--regions", "us-east-1") == 0
    pages = saved_pages(case)
    expected = sorted(p.name for p in (SAMPLE / "aws").rglob("*.gz") if "/2026/11/10/" in p.as_posix())
    assert sorted(p.name for p in pages) == expected
    assert all("/acme-org/AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail/us-east-1/" in p.as_posix() for p in pages)
    assert {e["stream"] for e in log_lines(case)} == {"111122223333/us-east-1"}
    assert collect("aws-s3", "--case", str(tmp_path / "D"), "--bucket", "acme-org", "--endpoint-url", endpoint,
                   "--org-id", "o-zzzzzzzzzz") == 0  # another organization: nothing of this one
    assert not saved_pages(tmp_path / "D")


def test_s3_read_only_guard() -> None:
    from irkit.collect import aws
    from irkit.collect.http import CollectError

    class Model:
        name = "DeleteObject"

    with pytest.raises(CollectError, match="refused"):
        aws._read_only(model=Model())


# --- LookupEvents --------------------------------------------------------------------------------------

def _lookup_events(region: str) -> list[dict[str, Any]]:
    """LookupEvents' Event objects for the sample's events of one day (as the API wraps them)."""
    out = []
    for path in sorted((SAMPLE / "aws").rglob("*20261110T1*.json.gz")):
        for event in json.loads(gzip.decompress(path.read_bytes()))["Records"]:
            if event.get("awsRegion") != region and region != "us-east-1":
                continue
            when = datetime.fromisoformat(event["eventTime"].replace("Z", "+00:00")).timestamp()
            out.append({"EventId": event["eventID"], "EventName": event["eventName"],
                        "ReadOnly": str(event.get("readOnly", "false")).lower(), "EventTime": when,
                        "EventSource": event["eventSource"], "Username": event["userIdentity"].get("userName"),
                        "Resources": [], "CloudTrailEvent": json.dumps(event)})
    seen: set[str] = set()
    unique = [e for e in out if not (e["EventId"] in seen or seen.add(e["EventId"]))]  # type: ignore[func-returns-value]
    return sorted(unique, key=lambda e: -e["EventTime"])


def test_lookup_events_pages_regions_throttling_and_5xx(tmp_path: Path) -> None:
    events = _lookup_events("us-east-1")
    assert len(events) > 120
    pages = [events[i:i + 50] for i in range(0, len(events), 50)]
    calls: dict[str, int] = {}

    def handler(request: dict[str, Any]) -> Reply:
        assert request["headers"]["X-Amz-Target"].endswith("CloudTrail_20131101.LookupEvents")
        region = request["headers"]["Authorization"].split("Credential=", 1)[1].split("/")[2]
        calls[region] = calls.get(region, 0) + 1
        if region == "eu-west-1":
            return Reply(200, jbytes({"Events": []}))
        if calls[region] == 1:
            return Reply(400, jbytes({"__type": "ThrottlingException", "message": "Rate exceeded"}))
        if calls[region] == 3:
            return Reply(500, jbytes({"__type": "InternalFailure"}))
        body = json.loads(request["body"])
        index = int(body.get("NextToken", "0"))
        assert body["MaxResults"] == 50 and body["StartTime"] and body["EndTime"]
        reply: dict[str, Any] = {"Events": pages[index]}
        if index + 1 < len(pages):
            reply["NextToken"] = str(index + 1)
        return Reply(200, jbytes(reply), {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "r"})

    case = tmp_path / "C"
    with replay_server(handler) as server:
        assert collect("aws-lookup", "--case", str(case), "--endpoint-url", server.url,
                       "--regions", "us-east-1,eu-west-1", "--since", "2026-11-01T00:00:00Z",
                       "--until", "2026-11-12T00:00:00Z") == 0
    saved = saved_pages(case)
    assert len(saved) == len(pages)  # eu-west-1's empty page is logged, not saved
    log = log_lines(case)
    assert [e["region"] for e in log if e.get("file")] == ["us-east-1"] * len(pages)
    assert any(e["region"] == "eu-west-1" and e["body"] == '{"Events":[]}' for e in log)
    opened, summary = ingest_evidence(case)
    ids = opened.sql("SELECT event_uid FROM events")["event_uid"].to_list()
    assert sorted(ids) == sorted(e["EventId"] for e in events)  # each once: nothing doubled, nothing lost
    assert summary.read == len(events) and summary.quarantined == 0
