"""Shared pieces of the containment / blast-radius / figures tests: the sample case (built once per test
session, shared with the rest of the suite when ``tests/conftest.py`` provides it) and the mapping from
ground-truth conventions to the lake's.

Two conventions differ between ``ground_truth.json`` and the lake, both written down, neither hidden:

* Kubernetes ``event_uid``: the generator writes ``auditID:stage``; the loader appends the request time
  (``auditID:stage:requestReceivedTimestamp``, docs/normalization.md: caller-chosen Audit-IDs must not
  collapse requests). :func:`lake_uid` maps the first to the second only when exactly one lake id has
  that prefix.
* Kubernetes ``target_system``: the generator knows the cluster (``k8s:prod-use1``); the raw audit log
  does not name it, so the loader writes ``k8s``. :func:`lake_system` maps the truth to what the lake can
  know, and stops mapping as soon as the lake carries the cluster.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

import irkit
from tests.sample import SAMPLE, build_case, ground_truth, ts

__all__ = ["BENIGN_EXEMPT", "COMPROMISE", "SAMPLE", "analysis_case", "ground_truth", "lake_system", "lake_uid", "ts"]

#: Identities the story makes act; every other identity is benign background and must stay silent.
BENIGN_EXEMPT = {"invoice-agent", "recon-subagent", "ops-admin", "backup-svc"}


def _compromise() -> datetime:
    return ts(ground_truth()["times"]["compromise"])


COMPROMISE = _compromise()


@pytest.fixture(scope="session")
def analysis_case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> irkit.Case:
    """The sample incident ingested once with its inventory and incident file (read-only for tests)."""
    try:
        return request.getfixturevalue("sample_case")  # type: ignore[no-any-return]
    except pytest.FixtureLookupError:
        return build_case(tmp_path_factory.mktemp("analysis") / "case")


def lake_uid(case: irkit.Case, uid: str) -> str:
    """The lake's event id for a ground-truth event id (see the module docstring)."""
    found = case.sql("SELECT event_uid FROM events WHERE event_uid = $u OR starts_with(event_uid, $p)",
                     u=uid, p=uid + ":")["event_uid"].unique().to_list()
    if uid in found:
        return uid
    assert len(found) == 1, f"ground-truth event {uid} matches {found} in the lake"
    return found[0]


def lake_system(case: irkit.Case, system: str) -> str:
    """The lake's name for a ground-truth system (see the module docstring)."""
    if system.startswith("k8s:"):
        named = case.sql("SELECT count(*) AS n FROM events WHERE target_system = $s", s=system)["n"][0]
        return system if named else "k8s"
    return system


def truth_rows(case: irkit.Case, rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Ground-truth touched rows keyed by uid, with times parsed and ids/systems in the lake's terms."""
    return {lake_system(case, r["uid"]) if "type" not in r else r["uid"]:
            {**r, "first_touch": ts(r["first_touch"]), "event_uid": lake_uid(case, r["event_uid"])} for r in rows}
