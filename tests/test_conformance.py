"""Conformance: every loader reads the real-world records of the shared corpus (the issue's acceptance).

The corpus (public sample records written by others, one folder per format, ``SOURCES.tsv`` listing
where each file came from and how many records it holds) is found through ``IRKIT_CONFORMANCE_DIR``;
a relative value is taken from the project root (``.ci/run`` sets ``../shared/conformance``). When the
variable is unset the tests are skipped and say so; when it is set and the folder is missing they fail.

For each format folder, ingested into a fresh case:

* detection picks the format's loader for every file (manifest ``source``);
* every file balances: read = loaded + quarantined + duplicates;
* every loaded row has ``time``, ``operation`` and ``source``, and ``actor_uid`` wherever the raw
  record names an identity (:data:`NAMES_IDENTITY`);
* every quarantined record carries a specific reason, never the generic ones;
* CloudTrail: nothing quarantined, loaded + duplicates = the record count in ``SOURCES.tsv``.

A format whose loader module does not exist yet fails (``irkit.loaders.get`` raises). The per-format
table of read / loaded / quarantined / duplicates is printed in pytest's summary (``tests/conftest.py``).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import irkit
from irkit import loaders
from irkit.evidence import discover, sample_records
from tests.loaders.helpers import conformance_corpus

#: folder -> (the loader detection must pick, the event ``source`` values that loader writes)
FORMATS: dict[str, tuple[str, frozenset[str]]] = {
    "cloudtrail": ("cloudtrail", frozenset({"cloudtrail"})),
    "entra_azure": ("entra", frozenset({"entra_signin", "entra_audit", "azure_activity"})),
    "gcp_audit": ("gcp_audit", frozenset({"gcp_audit"})),
    "github_audit": ("github_audit", frozenset({"github_audit"})),
    "k8s_audit": ("k8s_audit", frozenset({"k8s_audit"})),
    "mcp": ("mcp", frozenset({"mcp"})),
    "okta": ("okta", frozenset({"okta"})),
    "otel_genai": ("otel_genai", frozenset({"otel_genai"})),
}

#: Reasons that say nothing about the record: no loader may leave a conformance record with one.
GENERIC_REASONS = ("no loader recognises this file", "the loader returned no row for this record")

RESULTS: dict[str, dict[str, int]] = {}


# ------------------------------------------------------------------------------------------------
# Does the raw record name an identity? One predicate per format, over the parsed record.


def _json(value: Any) -> Any:
    """A JSON string nested in a record (CloudTrailEvent, AKS properties.log), parsed; else as is."""
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _get(node: Any, *keys: str) -> Any:
    for key in keys:
        node = _json(node)
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return _json(node)


def _filled(value: Any) -> bool:
    return value not in (None, "", {}, [])


def _walk(node: Any, depth: int = 0) -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair in a record, nested JSON strings included."""
    node = _json(node)
    if depth > 12:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, _json(value)
            yield from _walk(value, depth + 1)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value, depth + 1)


def _any_key(record: Any, names: set[str]) -> bool:
    return any(key in names and isinstance(value, (str, int)) and _filled(value) for key, value in _walk(record))


def _otel_agent(record: Any) -> bool:
    names = {"gen_ai.agent.id", "gen_ai.agent.name"}
    for key, value in _walk(record):
        if key in names and _filled(value):
            return True
        if key == "key" and value in names:  # OTLP/JSON attribute lists: {"key": ..., "value": {...}}
            return True
    return False


def _k8s_user(record: Any) -> bool:
    for event in (record, _get(record, "properties", "log")):
        if _filled(_get(event, "user", "username")):
            return True
    return _filled(_get(record, "protoPayload", "authenticationInfo", "principalEmail"))


def _cloudtrail_identity(record: Any) -> bool:
    event = _get(record, "CloudTrailEvent") if isinstance(record, dict) and "CloudTrailEvent" in record else record
    identity = _get(event, "userIdentity")
    # an unauthenticated request names only the account it reached (Cognito hosted UI): no identity
    if isinstance(identity, dict) and identity.get("accountId") == "anonymous" and not identity.get("principalId"):
        return False  # an unauthenticated caller (AgentCore Gateway)
    return _filled(identity) and not (isinstance(identity, dict) and set(identity) <= {"accountId"})


NAMES_IDENTITY: dict[str, Callable[[Any], bool]] = {
    "cloudtrail": _cloudtrail_identity,
    "entra_azure": lambda r: _any_key(r, {"userPrincipalName", "userId", "servicePrincipalId", "caller"})
    or isinstance(_get(r, "identity"), str) and _filled(_get(r, "identity")),
    "gcp_audit": lambda r: _filled(_get(r, "protoPayload", "authenticationInfo", "principalEmail"))
    or _filled(_get(r, "protoPayload", "authenticationInfo", "principalSubject")),
    "github_audit": lambda r: _filled(_get(r, "actor")),
    "k8s_audit": _k8s_user,
    "mcp": lambda r: any(k.endswith("clientInfo") and _filled(_get(v, "name")) for k, v in _walk(r)),
    "okta": lambda r: _filled(_get(r, "actor", "id")),
    "otel_genai": _otel_agent,
}

_PATH_PART = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")


def _row_node(raw: str, evidence_path: str) -> Any:
    """The part of the raw record a row stands for: loaders that emit several rows per record (OTLP
    spans) give each row a longer evidence_path; resolve as much of it as the record holds."""
    root = json.loads(raw)
    parts = [name if name is not None and name != "" else int(index) for name, index in _PATH_PART.findall(evidence_path)]
    for start in range(len(parts)):
        node: Any = root
        try:
            for part in parts[start:]:
                node = node[part]
        except (KeyError, IndexError, TypeError):
            continue
        return node
    return root


# ------------------------------------------------------------------------------------------------


def _table() -> str:
    lines = [f"{'format':<14}{'files':>7}{'read':>8}{'loaded':>8}{'quarantined':>13}{'duplicates':>12}"]
    for name, r in sorted(RESULTS.items()):
        lines.append(
            f"{name:<14}{r['files']:>7}{r['read']:>8}{r['loaded']:>8}{r['quarantined']:>13}{r['duplicates']:>12}"
        )
    return "\n".join(lines)


def _sources_tsv_records(corpus: Path, fmt: str) -> int:
    with open(corpus / "SOURCES.tsv", newline="", encoding="utf-8") as fh:
        return sum(int(r["records"]) for r in csv.DictReader(fh, delimiter="\t") if r["format"] == fmt)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_format_loads_its_conformance_records(tmp_path: Path, fmt: str) -> None:
    corpus = conformance_corpus()
    loader_name, event_sources = FORMATS[fmt]
    loaders.get(loader_name)  # a loader not written yet fails here (ModuleNotFoundError), it is not skipped
    folder = corpus / fmt
    assert folder.is_dir(), f"{folder} is missing from the conformance corpus"

    case = irkit.open_case(tmp_path / "case")
    summary = case.ingest([folder], progress=False)
    RESULTS[fmt] = {"files": len(summary.files), "read": summary.read, "loaded": summary.loaded,
                    "quarantined": summary.quarantined, "duplicates": summary.duplicates}
    context = f"{fmt}:\n{summary}\n\n{_table()}"

    manifest = case.sql("SELECT file, source, read, loaded, quarantined, duplicates, conflicts FROM manifest ORDER BY file").to_dicts()
    misdetected = [(Path(m["file"]).name, m["source"]) for m in manifest if m["source"] != loader_name]
    assert not misdetected, f"files not read by the {loader_name} loader: {misdetected}\n{context}"
    unbalanced = [m for m in manifest if m["read"] != m["loaded"] + m["quarantined"] + m["duplicates"] + m["conflicts"]]
    assert not unbalanced, f"read != loaded + quarantined + duplicates + conflicts: {unbalanced}\n{context}"

    events = case.sql("SELECT time, operation, source, actor_uid, raw, evidence_file, evidence_offset, evidence_path FROM events").to_dicts()
    incomplete = [
        (Path(e["evidence_file"]).name, e["evidence_offset"], e["evidence_path"])
        for e in events if e["time"] is None or not e["operation"] or not e["source"]
    ]
    assert not incomplete, f"rows without time, operation or source: {incomplete}\n{context}"
    foreign = sorted({e["source"] for e in events} - event_sources)
    assert not foreign, f"unexpected event sources {foreign}, expected {sorted(event_sources)}\n{context}"
    names_identity = NAMES_IDENTITY[fmt]
    anonymous = [
        (Path(e["evidence_file"]).name, e["evidence_offset"], e["evidence_path"])
        for e in events if e["actor_uid"] is None and names_identity(_row_node(e["raw"], e["evidence_path"]))
    ]
    assert not anonymous, f"rows whose record names an identity but actor_uid is empty: {anonymous}\n{context}"

    quarantined = case.sql("SELECT evidence_file, evidence_offset, evidence_path, reason FROM quarantine").to_dicts()
    vague = [
        (Path(q["evidence_file"]).name, q["evidence_offset"], q["evidence_path"], q["reason"])
        for q in quarantined if not q["reason"] or q["reason"].startswith(GENERIC_REASONS)
    ]
    assert not vague, f"quarantined without a specific reason: {vague}\n{context}"

    if fmt == "cloudtrail":
        assert summary.quarantined == 0, f"CloudTrail records quarantined: {quarantined}\n{context}"
        expected = _sources_tsv_records(corpus, fmt)
        assert summary.loaded + summary.duplicates + summary.conflicts == expected, f"SOURCES.tsv lists {expected} records\n{context}"


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_no_other_loader_claims_the_format(fmt: str) -> None:
    """Detection must not hang on registry order: every other loader's sniff rejects every file here."""
    items = discover([conformance_corpus(fmt)])
    assert items
    for other, (loader_name, _) in FORMATS.items():
        if other == fmt:
            continue
        sniff = loaders.get(loader_name).sniff
        assert [i.display for i in items if sniff(sample_records(i))] == [], f"{loader_name} claims {fmt} files"
