"""The issue's acceptance for bad files: a folder with good logs plus a truncated ``.gz``, a binary file and
an empty file loads the good logs (and the readable part of the ``.gz``), accounts for the three files in
the manifest, and the command exits 1 with one warning per file."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import irkit
from tests.loaders.helpers import SAMPLES

IRKIT = [sys.executable, "-c", "import sys; from irkit.cli import main; sys.exit(main(sys.argv[1:]))"]
EVENTS = SAMPLES / "cloudtrail" / "events.jsonl"


def _folder(tmp_path: Path) -> tuple[Path, int]:
    folder = tmp_path / "ev"
    folder.mkdir()
    lines = EVENTS.read_text().splitlines()
    (folder / "good.jsonl").write_text("\n".join(lines[:3]) + "\n")
    packed = gzip.compress(("\n".join(lines[3:]) + "\n").encode())
    (folder / "cut.jsonl.gz").write_bytes(packed[: len(packed) * 3 // 4])  # a half-copied object
    (folder / "blob.bin").write_bytes(bytes(range(256)) * 8)
    (folder / "empty.json").write_bytes(b"")
    return folder, len(lines)


def test_good_logs_load_and_each_bad_file_is_one_warning(tmp_path: Path) -> None:
    folder, total = _folder(tmp_path)
    run = subprocess.run([*IRKIT, "ingest", str(tmp_path / "case"), str(folder), "--no-progress"],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 1, run.stderr
    warnings = run.stderr.strip().splitlines()
    assert len(warnings) == 3 and all(w.startswith("irkit: warning: ") for w in warnings), run.stderr
    assert sorted(w.split(": ")[2].split("/")[-1] for w in warnings) == ["blob.bin", "cut.jsonl.gz", "empty.json"]
    case = irkit.open_case(tmp_path / "case")
    manifest = {Path(r["file"]).name: r for r in case.sql("SELECT file, loaded, error FROM manifest").to_dicts()}
    assert set(manifest) == {"good.jsonl", "cut.jsonl.gz", "blob.bin", "empty.json"}
    assert manifest["good.jsonl"]["loaded"] == 3 and manifest["good.jsonl"]["error"] is None
    assert manifest["cut.jsonl.gz"]["error"].startswith("truncated gzip data")
    assert 0 < manifest["cut.jsonl.gz"]["loaded"] < total - 3  # the readable part is kept
    assert manifest["blob.bin"]["error"].startswith("binary content")
    assert manifest["empty.json"]["error"].startswith("empty file")
