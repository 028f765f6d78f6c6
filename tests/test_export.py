"""Interop exports on the sample incident: the suspect's timeline for Timesketch (CSV, JSONL) and the
normalized events as OCSF JSON lines; plus the ``irkit export`` command."""

from __future__ import annotations

import csv
import ipaddress
import json
from datetime import UTC, datetime
from pathlib import Path
from types import GeneratorType
from typing import Any

import pytest

import irkit
from irkit import export
from irkit.cli import main
from tests.analysis_fixtures import analysis_case, ground_truth, lake_uid  # noqa: F401

TRUTH = ground_truth()


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- Timesketch -----------------------------------------------------------------------------------------
def test_timesketch_csv_is_the_suspects_timeline(analysis_case: irkit.Case, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "timeline.csv"
    n = analysis_case.export_timeline("invoice-agent", out, format="csv")
    timeline = analysis_case.timeline("invoice-agent")
    with out.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames is not None and reader.fieldnames[:3] == ["message", "datetime", "timestamp_desc"]
        rows = list(reader)
    assert n == len(rows) == timeline.height > 0
    times = [datetime.fromisoformat(r["datetime"]) for r in rows]
    assert all(t.tzinfo is not None for t in times)
    assert times == timeline["time"].to_list()
    assert [r["event_uid"] for r in rows] == timeline["event_uid"].to_list()
    assert all(int(r["timestamp"]) == int(t.timestamp() * 1_000_000) for r, t in zip(rows, times))
    assert {r["timestamp_desc"] for r in rows} == {"Event Time"}
    assert all(r["message"].startswith(f"{r['identity_id']}: {r['operation']}") for r in rows)
    assert not list(tmp_path.glob("*.tmp"))


def test_timesketch_jsonl_carries_the_incident(analysis_case: irkit.Case, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "timeline.jsonl"
    n = analysis_case.export_timeline("invoice-agent", out, format="jsonl", since=TRUTH["times"]["compromise"])
    events = _lines(out)
    assert n == len(events) > 0
    assert all({"message", "datetime", "timestamp_desc"} <= e.keys() for e in events)
    by_uid = {e["event_uid"]: e for e in events}
    # the privilege change of the incident: the sub-agent's AssumeRole into ops-admin, readable as a line
    hop = TRUTH["delegation_chain"][-1]
    assume = by_uid[lake_uid(analysis_case, hop["event_uid"])]
    assert assume["operation"].startswith("AssumeRole") and hop["uid"] in assume["message"]
    # the post-revocation use of the persistence key (a credential the suspect created) is on the timeline
    used = TRUTH["used_after_revocation"][0]
    assert by_uid[used["event_uid"]]["credential_uid"] == used["credential"]


def test_timesketch_format_is_checked(analysis_case: irkit.Case, tmp_path: Path) -> None:  # noqa: F811
    with pytest.raises(irkit.UsageError):
        analysis_case.export_timeline("invoice-agent", tmp_path / "t.xml", format="xml")


# -- OCSF -----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ocsf(analysis_case: irkit.Case, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:  # noqa: F811
    out = tmp_path_factory.mktemp("ocsf") / "events.ocsf.jsonl"
    n = analysis_case.export_ocsf(out)
    events = _lines(out)
    assert n == len(events)
    return events


def test_every_event_is_exported_once(analysis_case: irkit.Case, ocsf: list[dict[str, Any]]) -> None:  # noqa: F811
    total = analysis_case.sql("SELECT count(*) AS n FROM events")["n"][0]
    assert len(ocsf) == total
    assert len({(e["metadata"]["log_name"], e["metadata"]["uid"]) for e in ocsf}) == total


def test_ocsf_base_attributes(ocsf: list[dict[str, Any]]) -> None:
    for e in ocsf:
        assert (e["class_uid"], e["category_uid"]) in {(6003, 6), (3002, 3)}
        assert e["type_uid"] == e["class_uid"] * 100 + e["activity_id"]
        assert e["activity_id"] in (1, 2, 3, 4, 99) if e["class_uid"] == 6003 else e["activity_id"] in (1, 2, 99)
        assert isinstance(e["time"], int) and e["severity_id"] == 1
        assert e["status"] in ("Success", "Failure", "Unknown")
        assert e["metadata"]["product"]["name"] and e["metadata"]["version"] == export.OCSF_VERSION
        assert None not in e.values()


def test_one_whole_authentication_event(analysis_case: irkit.Case, ocsf: list[dict[str, Any]]) -> None:  # noqa: F811
    """The sub-agent's AssumeRole into ops-admin (the last hop of the delegation chain), field by field."""
    hop = TRUTH["delegation_chain"][-1]
    uid = lake_uid(analysis_case, hop["event_uid"])
    event = next(e for e in ocsf if e["metadata"]["uid"] == uid)
    row = analysis_case.sql("SELECT * FROM events WHERE event_uid = $u", u=uid).row(0, named=True)
    assert event["class_uid"] == 3002 and event["class_name"] == "Authentication"
    assert event["time"] == int(row["time"].timestamp() * 1000)
    assert event["time_dt"] == row["time"].astimezone(UTC).isoformat()
    assert event["api"]["operation"] == row["operation"]
    assert event["actor"]["user"]["uid"] == row["actor_uid"] == TRUTH["delegation_chain"][-2]["uid"]
    assert event["actor"]["session"]["uid"] == row["session_uid"]
    assert event["src_endpoint"] == {"ip": row["src_ip"]}
    assert event["http_request"]["user_agent"] == row["user_agent"]
    assert event["cloud"] == {"provider": "AWS", "account": {"uid": row["account_uid"]}}
    assert event["status"] == "Success" and event["status_id"] == 1
    assert event["metadata"]["product"] == {"name": "AWS CloudTrail", "vendor_name": "AWS"}
    assert event["resources"][0]["uid"] == row["target_uid"] == hop["uid"]
    assert event["unmapped"]["evidence_sha256"] == row["evidence_sha256"]
    assert "raw_data" not in event


def test_activity_ids_follow_the_operation(ocsf: list[dict[str, Any]]) -> None:
    def activity(operation: str) -> set[int]:
        return {e["activity_id"] for e in ocsf if e.get("api", {}).get("operation") == operation}

    assert activity("CreateAccessKey") == {1}
    assert activity("GetObject") == {2}
    assert activity("ConsoleLogin") == {1}  # Authentication: Logon
    assert activity("user.session.end") == {2}  # Authentication: Logoff


def test_service_names_are_not_ips(analysis_case: irkit.Case, ocsf: list[dict[str, Any]]) -> None:  # noqa: F811
    """CloudTrail writes service names (``ec2.amazonaws.com``, ``AWS Internal``) where an address goes; the
    lake keeps them in src_service and OCSF gets them as the endpoint's svc_name, never as an ip."""
    services = set(analysis_case.sql("SELECT DISTINCT src_service FROM events WHERE src_service IS NOT NULL")
                   .to_series().to_list())
    endpoints = [e["src_endpoint"] for e in ocsf if "src_endpoint" in e]
    assert services and {ep["svc_name"] for ep in endpoints if "svc_name" in ep} == services
    for ep in endpoints:
        if "ip" in ep:
            ipaddress.ip_address(ep["ip"])  # raises on a name


def test_ocsf_of_the_suspect_streams_and_keeps_raw(analysis_case: irkit.Case, tmp_path: Path) -> None:  # noqa: F811
    rows = export.event_rows(analysis_case.con, "invoice-agent", None, None, True)
    assert isinstance(rows, GeneratorType)
    first = next(rows)  # one batch read, not the lake
    assert first["raw"]
    rows.close()  # frees the connection's open result
    out = tmp_path / "suspect.jsonl"
    n = analysis_case.export_ocsf(out, suspect="invoice-agent", raw=True)
    assert n == analysis_case.timeline("invoice-agent").height
    assert all(json.loads(e["raw_data"]) for e in _lines(out))


def test_stream_reads_in_batches(analysis_case: irkit.Case) -> None:  # noqa: F811
    sizes: list[int] = []
    reader = analysis_case.con.sql("SELECT range AS n FROM range(25000)").to_arrow_reader(1000)
    for batch in reader:
        sizes.append(batch.num_rows)
    assert max(sizes) <= 2048 and sum(sizes) == 25000  # DuckDB hands out vectors, never the whole result
    assert sum(1 for _ in export.stream(analysis_case.con, "SELECT range FROM range($n)", {"n": 25000}, rows=1000)) == 25000


# -- the command ----------------------------------------------------------------------------------------
def test_export_command(analysis_case: irkit.Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    case = str(analysis_case.root)
    out = tmp_path / "t.jsonl"
    assert main(["export", case, "--suspect", "invoice-agent", "--format", "timesketch-jsonl", "--out", str(out)]) == 0
    assert f"{len(_lines(out))} events written" in capsys.readouterr().out
    out = tmp_path / "t.csv"
    assert main(["export", case, "--format", "timesketch-csv", "--out", str(out)]) == 0  # the incident's suspect
    assert out.read_text(encoding="utf-8").startswith("message,datetime,timestamp_desc")
    out = tmp_path / "all.ocsf"
    assert main(["export", case, "--format", "ocsf", "--out", str(out), "--since", "2026-11-10T00:00:00Z"]) == 0
    assert all(e["time"] >= 1794268800000 for e in _lines(out))
    assert main(["export", case, "--format", "ocsf", "--out", str(tmp_path / "x"), "--since", "yesterday"]) == 2
