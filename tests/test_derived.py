"""The identity tables are cached per state of the lake and inventory, and never served stale."""

from __future__ import annotations

from pathlib import Path

import pytest

import irkit
from irkit import derived
from tests.sample import INVENTORY
from tests.test_ingest import ct_event, write_lines

BOB = {"type": "IAMUser", "principalId": "AIDAEXAMPLEBOB", "arn": "arn:aws:iam::123456789012:user/Bob",
       "accountId": "123456789012", "accessKeyId": "AKIAEXAMPLEBOBKEY", "userName": "Bob"}


def cached_keys(case: irkit.Case) -> list[str]:
    folder = case.root / derived.CACHE_DIR
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) if folder.exists() else []


def actors(case: irkit.Case) -> list[str]:
    return case.sql("SELECT actor_uid FROM actors ORDER BY actor_uid")["actor_uid"].to_list()


def forbid_recompute(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, computing a derived table from the lake fails: only the cache can answer."""
    def refuse(con: object, name: str) -> None:
        raise AssertionError(f"{name} recomputed although the cache holds it")

    monkeypatch.setattr(derived, "_compute", refuse)


def test_a_reopened_case_reads_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_lines(tmp_path / "ct.json", [ct_event(1), ct_event(2, userIdentity=BOB)])
    case = irkit.open_case(tmp_path / "case")
    case.ingest(tmp_path / "ct.json", progress=False)
    first = actors(case)
    assert first == ["arn:aws:iam::123456789012:user/Alice", "arn:aws:iam::123456789012:user/Bob"]
    assert len(cached_keys(case)) == 1
    forbid_recompute(monkeypatch)
    reopened = irkit.open_case(tmp_path / "case", create=False)
    assert actors(reopened) == first
    assert reopened.sql("SELECT count(*) FROM identity_edges").item() > 0


def test_new_evidence_or_another_inventory_gives_a_new_key(tmp_path: Path) -> None:
    write_lines(tmp_path / "a.json", [ct_event(1)])
    write_lines(tmp_path / "b.json", [ct_event(2, userIdentity=BOB)])
    case = irkit.open_case(tmp_path / "case")
    case.ingest(tmp_path / "a.json", progress=False)
    assert actors(case) == ["arn:aws:iam::123456789012:user/Alice"]
    before = cached_keys(case)
    case.ingest(tmp_path / "b.json", progress=False)
    assert actors(case) == ["arn:aws:iam::123456789012:user/Alice", "arn:aws:iam::123456789012:user/Bob"]
    after = cached_keys(case)
    assert len(after) == 1 and after != before, "one cache, for the new state only"
    case.use_inventory(INVENTORY)
    case.sql("SELECT count(*) FROM actors")
    assert cached_keys(case) != after


def test_a_read_only_case_goes_without_cache(tmp_path: Path) -> None:
    write_lines(tmp_path / "ct.json", [ct_event(1)])
    case = irkit.open_case(tmp_path / "case")
    case.ingest(tmp_path / "ct.json", progress=False)
    (case.root / derived.CACHE_DIR).write_text("not a folder")  # nothing can be stored under it
    assert actors(case) == ["arn:aws:iam::123456789012:user/Alice"]
