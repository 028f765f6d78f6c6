"""irkit coverage on the sample incident, its ground truth written from the story (sample_data/
invoice-agent-incident/README.md): the chain reached AWS (STS, IAM, S3 reads of customer data), Okta,
GitHub (a deploy key), Kubernetes secrets and MCP tools, and every one of those logs is in the sample;
the GitHub log is the organization audit log, without the API request events that only audit-log
streaming records. Then the same evidence without the MCP gateway log, and with an hour cut out of it."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

import irkit
from irkit.cli import main
from irkit.coverage import case_coverage, retention_table
from tests.sample import SAMPLE

COMPROMISE = "2026-11-10T14:02:13.538045Z"
AS_OF = "2026-12-02T00:00:00Z"


def _rows(case: irkit.Case, **kw: object) -> dict[str, dict]:
    table = case_coverage(case, "invoice-agent", since=COMPROMISE, as_of=AS_OF, **kw)  # type: ignore[arg-type]
    return {r["log"]: r for r in table.iter_rows(named=True)}


def test_sample_present_absent_and_expiry(sample_case: irkit.Case) -> None:
    rows = _rows(sample_case)
    present = {name for name, r in rows.items() if r["status"] == "present"}
    assert {"AWS CloudTrail management events", "AWS CloudTrail S3 data events", "Okta System Log",
            "GitHub audit log", "Kubernetes API server audit log", "MCP gateway log",
            "Agent telemetry (OpenTelemetry GenAI spans)", "MCP tool-call arguments"} <= present
    absent = rows["GitHub API request events (audit-log streaming)"]
    assert absent["status"] == "absent" and absent["records"] == 0
    assert absent["costs"].startswith("cannot tell which repositories and contents")
    assert {"aws:sts", "aws:iam", "aws:s3"} <= set(rows["AWS CloudTrail management events"]["systems"])
    # Okta: the org token at 14:10:05 is the chain's first Okta record; 90 days of System Log after it
    okta = rows["Okta System Log"]
    assert okta["oldest_needed"] >= datetime(2026, 11, 10, 14, 10, tzinfo=UTC)
    assert okta["oldest_needed"] < datetime(2026, 11, 10, 14, 11, tzinfo=UTC)
    assert okta["expires"].date().isoformat() == "2027-02-08" and okta["days_left"] == 68
    # GitHub: the deploy key at 14:09:20, 180 days
    assert rows["GitHub audit log"]["expires"].date().isoformat() == "2027-05-09"
    # CloudTrail: the sub-agent's first AWS call came minutes after the compromise
    aws = rows["AWS CloudTrail management events"]
    assert aws["oldest_needed"].date().isoformat() == "2026-11-10" and aws["expires"].date().isoformat() == "2027-02-08"
    assert "irkit collect aws-lookup --case" in aws["preserve"] and "--since 2026-11-09" in aws["preserve"]
    assert all(r["costs"] is None for r in rows.values() if r["status"] == "present")
    assert not [r for r in rows.values() if r["status"] == "unknown"]  # every touched system has a known log


def _case_from(tmp: Path, mcp: str | None) -> irkit.Case:
    evidence = tmp / "evidence"
    for name in ("okta", "github", "otel"):  # small: the MCP rows need only the agent's own spans
        shutil.copytree(SAMPLE / "evidence" / name, evidence / name)
    if mcp is not None:
        (evidence / "mcp").mkdir()
        (evidence / "mcp" / "gateway.jsonl").write_text(mcp)
    case = irkit.open_case(tmp / "case")
    assert case.ingest([evidence], progress=False).balanced
    return case


def test_without_the_mcp_gateway_log(tmp_path: Path) -> None:
    case = _case_from(tmp_path, None)
    rows = _rows(case)
    gateway = rows["MCP gateway log"]  # the agent's spans still name the MCP servers it called
    assert gateway["status"] == "absent" and gateway["costs"].startswith("cannot tell which tools")
    assert {"mcp:devtools", "mcp:docs"} <= set(gateway["systems"])
    assert rows["MCP tool-call arguments"]["status"] == "present"  # the spans carry them


def test_an_hour_cut_out_of_the_mcp_gateway_log(tmp_path: Path) -> None:
    lines = (SAMPLE / "evidence" / "mcp" / "gateway.jsonl").read_text().splitlines(keepends=True)
    hole = ("2026-11-10T13", "2026-11-10T14", "2026-11-10T15")  # the attack's hour and either side
    kept = "".join(line for line in lines if not json.loads(line)["timestamp"].startswith(hole))
    assert len(kept) < sum(map(len, lines))
    rows = _rows(_case_from(tmp_path, kept))
    gateway = rows["MCP gateway log"]
    assert gateway["status"] == "partial" and "2026-11-10 14:00 UTC" in gateway["detail"]
    assert gateway["costs"].startswith("incomplete:")


def test_cli(sample_case: irkit.Case, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", str(sample_case.root), "--suspect", "invoice-agent", "--since", COMPROMISE,
                 "--as-of", AS_OF, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["status"] for r in rows} == {"present", "absent"}
    assert main(["coverage", str(sample_case.root), "--since", COMPROMISE, "--as-of", AS_OF]) == 0
    out = capsys.readouterr().out
    assert "ABSENT   GitHub API request events" in out and "preserve now: irkit collect okta" in out


def test_the_table_is_well_formed() -> None:
    ids = [log["id"] for log in retention_table()]
    assert len(ids) == len(set(ids))
    for log in retention_table():
        assert log["systems"] and log["lake"] and log["answers"] and log["preserve"]
        assert log["retention_days"] is None or log["retention_days"] > 0
        log["preserve"].format(case="C", since="S", until="U")
