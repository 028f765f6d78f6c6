"""The HTML report, read back section by section and checked against ground_truth.json; and escaping.

The report is parsed as HTML (the standard library's parser), never searched as text, so a value is
found only where a reader would see it: in its section's table.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import irkit
from irkit.report import incident_window
from irkit.report.builder import when
from tests.analysis_fixtures import COMPROMISE, analysis_case, ground_truth, lake_system, lake_uid, truth_rows  # noqa: F401
from tests.sample import INCIDENT, INVENTORY, evidence_paths, ts

TRUTH = ground_truth()


class Page(HTMLParser):
    """Tables (header -> cell text) under the nearest element with an id, trigger rows with their data
    attributes, and the text of every element with an id."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.tables: dict[str, list[list[dict[str, str]]]] = defaultdict(list)
        self.text: dict[str, str] = defaultdict(str)
        self.triggers: list[dict[str, str]] = []
        self.scripts = 0
        self._header: list[str] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    def _owner(self) -> str:
        return next((i for _, i in reversed(self.stack) if i), "")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("meta", "br", "img", "input", "link"):
            return
        self.stack.append((tag, a.get("id")))
        if tag == "script":
            self.scripts += 1
        elif tag == "table":
            self.tables[self._owner()].append([])
            self._header = []
        elif tag == "tr":
            self._row = []
            if a.get("class") == "trigger":
                self.triggers.append({k: v or "" for k, v in a.items()})
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            owner = self._owner()
            if self._row and not self._header:
                self._header = self._row
            elif self._row and self.tables[owner]:
                self.tables[owner][-1].append(dict(zip(self._header, self._row)))
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        for _, ident in self.stack:
            if ident:
                self.text[ident] += data

    def table(self, owner: str, n: int = 0) -> list[dict[str, str]]:
        return self.tables[owner][n]


@pytest.fixture(scope="module")
def page(analysis_case: irkit.Case, tmp_path_factory: pytest.TempPathFactory) -> Page:  # noqa: F811
    out = tmp_path_factory.mktemp("report") / "report.html"
    analysis_case.report("invoice-agent", out, since=COMPROMISE)
    return Page(out.read_text(encoding="utf-8"))


def _by_uid(rows: list[dict[str, str]]) -> dict[str, tuple[str, str]]:
    return {r["uid"]: (r["first touch"], r["first event"]) for r in rows}


def _truth_touched(case: irkit.Case, kind: str) -> dict[str, tuple[str, str]]:
    return {uid: (when(r["first_touch"]), r["event_uid"])
            for uid, r in truth_rows(case, TRUTH["touched"][kind]).items()}


# -- blast radius -------------------------------------------------------------------------------------
def test_identities_touched(analysis_case: irkit.Case, page: Page) -> None:  # noqa: F811
    assert _by_uid(page.table("touched-identities")) == _truth_touched(analysis_case, "identities")


def test_systems_touched(analysis_case: irkit.Case, page: Page) -> None:  # noqa: F811
    assert _by_uid(page.table("touched-systems")) == _truth_touched(analysis_case, "systems")


def test_resources_touched(analysis_case: irkit.Case, page: Page) -> None:  # noqa: F811
    shown = {r["uid"]: r for r in page.table("touched-resources")}
    truth = _truth_touched(analysis_case, "resources")
    assert {uid: (r["first touch"], r["first event"]) for uid, r in shown.items() if uid in truth} == truth
    # The only extras are access tokens minted by a token grant the truth lists (see tests/test_graph.py).
    assert {r["type"] for uid, r in shown.items() if uid not in truth} <= {"credential"}


def test_touched_counts_in_the_manager_summary(analysis_case: irkit.Case, page: Page) -> None:  # noqa: F811
    summary = page.text["summary"]
    assert f"{len(TRUTH['touched']['identities'])}identitiestouched" in "".join(summary.split())
    for system in TRUTH["touched"]["systems"]:
        assert lake_system(analysis_case, system["uid"]) in page.text["summary-touched"]


# -- triggers -----------------------------------------------------------------------------------------
def test_triggers_match_the_truth(analysis_case: irkit.Case, page: Page) -> None:  # noqa: F811
    evidence: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in page.triggers:
        evidence[(row["data-kind"], row["data-identity"])] |= set(row["data-evidence"].split())
    assert set(evidence) == {(t["kind"], t["identity"]) for t in TRUTH["triggers"]}
    for t in TRUTH["triggers"]:
        for key in ("event_uid", "span_event_uid"):
            if key in t:
                assert lake_uid(analysis_case, t[key]) in evidence[(t["kind"], t["identity"])], t


# -- activity after revocation and the checklist --------------------------------------------------------
def test_post_revocation_use_is_open_and_proven(page: Page) -> None:
    used = TRUTH["used_after_revocation"][0]
    assert f"STILL ACTIVE after revocation: {used['credential']}" in page.text["summary-open"]
    row = next(r for r in page.table("checklist") if r["credential or identity"] == used["credential"])
    assert row["status"] == "USED AFTER REVOCATION"
    assert row["first after"] == when(ts(used["first_use"]))
    assert row["first event after"] == used["event_uid"]


def test_persistence_credentials_are_not_revoked(page: Page) -> None:
    rows = {r["credential or identity"]: r for r in page.table("checklist")}
    for p in TRUTH["persistence"]:
        assert rows[p["credential"]]["revoked"] == ("yes" if p["revoked"] else "no")
        assert rows[p["credential"]]["status"] in ("USED AFTER REVOCATION", "NOT REVOKED")


def test_quiet_credentials_went_quiet(page: Page) -> None:
    rows = {r["credential or identity"]: r for r in page.table("checklist")}
    for q in TRUTH["quiet_after_revocation"]:
        assert rows[q["credential"]]["status"] == "quiet", q


def test_revocations_confirmed_by_their_events(analysis_case: irkit.Case, page: Page) -> None:  # noqa: F811
    rows = {r["target"]: r for r in page.table("revocation", 0)}
    for r in TRUTH["revocations"]:
        assert rows[r["target"]]["confirmed in the logs"] == "yes"
        assert rows[r["target"]]["event"] == lake_uid(analysis_case, r["event_uid"])


# -- attribution ----------------------------------------------------------------------------------------
def test_attribution_chain(analysis_case: irkit.Case, page: Page) -> None:  # noqa: F811
    hops = page.text["attribution-chain"]
    uids = [h["uid"] for h in TRUTH["delegation_chain"]]
    positions = [hops.index(uid) for uid in uids]
    assert positions == sorted(positions), hops
    for hop in TRUTH["delegation_chain"]:  # each hop names the event that proves it
        assert lake_uid(analysis_case, hop["event_uid"]) in hops


def test_api_calls_attributed_to_their_tool_calls(analysis_case: irkit.Case, page: Page) -> None:  # noqa: F811
    rows = {r["event"]: r for r in page.table("attribution")}
    for a in TRUTH["attribution"]:
        row = rows[lake_uid(analysis_case, a["event_uid"])]
        assert (row["tool call"], row["agent"]) == (a["tool_call"]["tool"], a["tool_call"]["agent"]), a


# -- the other sections ---------------------------------------------------------------------------------
def test_sessions_of_the_incident(page: Page) -> None:
    shown = {r["session"]: r for r in page.table("timeline")}
    for s in TRUTH["sessions"]:
        if ts(s["end"]) >= COMPROMISE:
            assert s["id"] in shown, s


def test_identity_card(page: Page) -> None:
    text = page.text["identity"]
    for alias in TRUTH["suspect"]["aliases"]:
        assert alias in text


def test_ownership_gap_of_the_sub_agent(page: Page) -> None:
    gaps = {r["identity"]: r["gaps"] for r in page.table("ownership")}
    for t in TRUTH["triggers"]:
        if t["kind"] == "ownership_gap":
            assert gaps[t["identity"]] == "not in inventory"


def test_evidence_manifest_hashes_and_version(analysis_case: irkit.Case, page: Page) -> None:  # noqa: F811
    shown = page.table("evidence", 2)
    manifest = analysis_case.manifest
    assert sorted(r["sha256"] for r in shown) == sorted(manifest["sha256"].to_list())
    assert page.text["irkit-version"].strip() == irkit.__version__
    assert page.text["verification"].startswith("all ")


def test_one_self_contained_file(page: Page) -> None:
    assert page.scripts == 6  # plotly.js once, its config, one call per figure (timeline, sessions, blast), table sorting


# -- the incident window ----------------------------------------------------------------------------------
def _t(minutes: int) -> datetime:
    return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)


def test_incident_window_is_the_burst_before_detection() -> None:
    sessions = pl.DataFrame({"start": [_t(0), _t(100), _t(110), _t(130), _t(400)],
                             "end": [_t(5), _t(120), _t(115), _t(140), _t(410)]})
    assert incident_window(sessions, _t(200)) == _t(100)      # 100-140 merge (130 starts within 30 min of 120)
    assert incident_window(sessions, _t(50)) == _t(0)
    assert incident_window(sessions, None) == _t(400)          # no detection time: the last burst
    assert incident_window(sessions.head(0), _t(50)) is None


def test_default_window_on_the_sample_covers_the_compromise(analysis_case: irkit.Case) -> None:  # noqa: F811
    start = incident_window(analysis_case.sessions("invoice-agent"), analysis_case.incident.detected_at)
    assert start is not None and COMPROMISE - timedelta(minutes=5) < start <= COMPROMISE


# -- escaping ------------------------------------------------------------------------------------------
PAYLOAD = "<script>window.__xss=1</script><img src=x onerror=alert(1)>\"'&"


def _poisoned(folder: Path) -> Path:
    """A copy of the incident's first attributed CloudTrail record, with hostile text in the fields a
    report shows: user agent, operation, source address."""
    wanted = next(a["event_uid"] for a in TRUTH["attribution"] if a["source"] == "cloudtrail")
    for path in (p for base in evidence_paths() for p in sorted(base.rglob("*.json.gz"))):
        for record in json.loads(gzip.decompress(path.read_bytes()))["Records"]:
            if record.get("eventID") == wanted:
                copy = dict(record, eventID="0badc0de-0000-4000-8000-000000000002", userAgent=PAYLOAD,
                            eventName="Get" + PAYLOAD, sourceIPAddress=PAYLOAD)
                out = folder / "poisoned.json"
                out.write_text(json.dumps({"Records": [copy]}))
                return out
    raise AssertionError(f"sample record {wanted} not found")


def test_values_from_the_logs_are_escaped(tmp_path: Path) -> None:
    case = irkit.open_case(tmp_path / "case")
    case.ingest([*evidence_paths(), _poisoned(tmp_path)], progress=False)
    case.use_inventory(INVENTORY)
    case.use_incident(INCIDENT)
    html = case.report("invoice-agent", tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<script>window.__xss" not in html and "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    page = Page(html)
    assert page.scripts == 6
    shown: list[dict[str, Any]] = [r for r in page.table("timeline", 1) if r.get("user agent") == PAYLOAD]
    # src_ip holds addresses only (a sourceIPAddress that is not one is no source IP): shown as a dash
    assert len(shown) == 1 and shown[0]["operation"] == "Get" + PAYLOAD and shown[0]["source IP"] == "—"


# -- the commands ----------------------------------------------------------------------------------------
def test_report_command_with_an_extra_revocation(analysis_case: irkit.Case, tmp_path: Path,  # noqa: F811
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from irkit.cli import main

    key = TRUTH["used_after_revocation"][0]["credential"]
    out = tmp_path / "r.html"
    code = main(["report", str(analysis_case.root), "--out", str(out), "--since", TRUTH["times"]["compromise"],
                 "--revoked-at", f"{key}=2026-11-12T00:00:00Z", "--no-progress"])
    assert code == 0 and f"report written to {out.resolve()}" in capsys.readouterr().out
    rows = {r["credential or identity"]: r for r in Page(out.read_text(encoding="utf-8")).table("checklist")}
    assert rows[key]["revoked"] == "yes" and rows[key]["revoked at"] == "2026-11-12 00:00:00Z"


def test_investigate_needs_a_suspect(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from irkit.cli import main

    code = main(["investigate", *map(str, evidence_paths()), "--out", str(tmp_path / "r.html"), "--no-progress"])
    assert code == 2 and "--suspect" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # refused before creating anything


def test_log_coverage_names_what_is_missing_and_when_it_expires(page: Page) -> None:
    # The sample holds CloudTrail and Okta; GitHub API request events are only in audit-log streaming,
    # which the sample's export does not hold.
    shown = [t for t in page.tables["evidence"] if t and "preserve now" in t[0]]
    assert shown, "the evidence section has a log coverage table"
    by_log = {r["log"]: r for r in shown[0]}
    assert any(r["status"] == "present" and "CloudTrail" in log for log, r in by_log.items())
    absent = [r for r in by_log.values() if r["status"] == "absent"]
    assert absent and all(r["what it costs"] for r in absent)
    assert all(r["expires"] for r in by_log.values() if r["status"] == "present")
