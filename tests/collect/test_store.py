"""The collection log as checkpoint: what a kill at each step of a save leaves, and how a reopen mends it."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest

from irkit.collect.store import Job
from irkit.errors import CaseError


_OPEN: list[Job] = []


def _job(case: Path, keep: bool = False) -> Job:
    """The job, reopened as a rerun would (the previous opening closed, as a finished process's is)."""
    while _OPEN and not keep:
        _OPEN.pop().close()
    job = Job(case, "okta", {"org_url": "https://acme.okta.com"}, "1", window={"since": "a", "until": "b"}).open()
    _OPEN.append(job)
    return job


def _save(job: Job, n: int) -> Path:
    body = json.dumps([{"uuid": f"u{n}"}]).encode()
    return job.save_page("logs", body, {"method": "GET", "url": "u", "status": 200}, next_cursor={"url": f"n{n}"},
                         done=False, records=1)


def test_page_bytes_hash_and_cursor(tmp_path: Path) -> None:
    job = _job(tmp_path)
    path = _save(job, 1)
    assert json.loads(gzip.decompress(path.read_bytes())) == [{"uuid": "u1"}]
    entry = job.entries()[0]
    assert entry["sha256"] == hashlib.sha256(b'[{"uuid": "u1"}]').hexdigest()
    assert entry["stored_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    again = _job(tmp_path)
    assert again.state("logs").pages == 1 and again.state("logs").cursor == {"url": "n1"}


def test_torn_log_line_is_dropped_and_the_page_fetched_again(tmp_path: Path) -> None:
    job = _job(tmp_path)
    _save(job, 1)
    with open(job.log_path, "ab") as fh:
        fh.write(b'{"seq": 2, "stream": "logs", "fi')  # killed while writing the line
    (job.tmp / "x.part").write_bytes(b"half a page")
    again = _job(tmp_path)
    assert again.state("logs").pages == 1 and again.log_path.read_bytes().endswith(b"\n")
    assert not list(again.tmp.iterdir())
    assert _save(again, 2).name == "000002.json.gz"
    assert [e["seq"] for e in again.entries()] == [1, 2]


def test_logged_but_not_renamed_is_completed(tmp_path: Path) -> None:
    job = _job(tmp_path)
    final = _save(job, 1)
    part = job._part(final.relative_to(tmp_path).as_posix())
    final.replace(part)  # as if killed between the log line and the rename
    again = _job(tmp_path)
    assert final.exists() and not part.exists() and again.state("logs").pages == 1


def test_other_parameters_are_another_job(tmp_path: Path) -> None:
    job = _job(tmp_path)
    other = Job(tmp_path, "okta", {"org_url": "https://other.okta.com"}, "1").open()
    other.close()
    job.close()
    assert other.id != job.id and other.folder != job.folder
    (job.folder / "job.json").write_text(json.dumps({"params": {"org_url": "x"}}))
    with pytest.raises(CaseError):
        _job(tmp_path)


def test_progress_shows_pages_records_and_time_range() -> None:
    import io

    from irkit.collect.base import Progress

    out = io.StringIO()
    bar = Progress(enabled=True, out=out)
    bar.start("okta logs", 3)
    bar.page(50, "2026-11-10T14:00:00Z", "2026-11-10T15:00:00Z")
    bar.close()
    text = out.getvalue()
    assert "okta logs" in text and "4page" in text.replace(" ", "") and "50 records" in text
    assert "2026-11-10T14:00:00Z..2026-11-10T15:00:00Z" in text
    quiet = Progress(enabled=False, out=io.StringIO())
    quiet.start("x", 0)
    quiet.page(1, None, None)
    assert quiet.out.getvalue() == "" and quiet.pages == 1


def test_one_collector_per_job(tmp_path: Path) -> None:
    first = _job(tmp_path)
    with pytest.raises(CaseError, match="another collection"):
        _job(tmp_path, keep=True)
    first.close()
    _job(tmp_path, keep=True).close()
