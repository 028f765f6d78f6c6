"""kill -9 in the middle of a 57-page collection, then the same command again: every page once, no gap,
and the same events as an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.collect import vendors
from tests.collect.helpers import collect, ingest_evidence, log_lines, page_records, saved_pages
from tests.collect.servers import ROOT, replay_server

pytest.importorskip("httpx")


def test_kill_9_then_resume(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    records = vendors.okta_events()
    script = vendors.Script(delay=0.01)
    case = tmp_path / "C"
    env = {**os.environ, "IRKIT_COLLECT_WAIT_SCALE": "0.001", "OKTA_API_TOKEN": "token-1",
           "PYTHONPATH": str(ROOT)}
    monkeypatch.setenv("OKTA_API_TOKEN", "token-1")
    with replay_server(vendors.link_pager(records, 5, script, "/api/v1/logs", vendors.okta_rate)) as server:
        argv = ["okta", "--case", str(case), "--org-url", server.url, "--since", "2026-10-20T00:00:00Z",
                "--until", "2026-11-20T00:00:00Z"]
        code = "import sys; from irkit.cli import main; sys.exit(main(sys.argv[1:]))"
        child = subprocess.Popen([sys.executable, "-c", code, "collect", *argv, "--no-progress"],
                                 env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        log = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and child.poll() is None:
            found = list((case / "collection").glob("*/log.jsonl")) if (case / "collection").exists() else []
            if found and found[0].read_bytes().count(b"\n") >= 20:
                log = found[0]
                break
            time.sleep(0.005)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
        assert child.returncode == -signal.SIGKILL, child.stderr.read() if child.stderr else ""
        assert log is not None
        before = log.read_bytes().count(b"\n")
        assert 20 <= before < 57  # killed mid-way
        asked_before = len(server.requests)
        assert collect(*argv) == 0
        assert len(server.requests) - asked_before <= 57 - before + 1  # only what was missing (+ the page in flight)
    entries = [e for e in log_lines(case) if e.get("file")]
    assert [e["seq"] for e in entries] == list(range(1, 58))  # each page once, in order, no gap
    pages = saved_pages(case)
    assert len(pages) == 57
    uuids = [r["uuid"] for p in pages for r in page_records(p)]
    assert uuids == [r["uuid"] for r in records]  # the same events, in order, each once
    assert not list((case / "collection").glob("*/tmp/*"))
    _, summary = ingest_evidence(case)
    assert summary.read == summary.loaded == 283 and summary.duplicates == 0
    assert json.loads((case / "collection").glob("*/job.json").__next__().read_text())["window"]["since"] \
        == "2026-10-20T00:00:00.000Z"
