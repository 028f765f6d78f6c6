"""Containment triggers, the revocation checklist and over-privilege on the sample incident, against
ground_truth.json; plus the command line."""

from __future__ import annotations

import json
from collections import defaultdict

import polars as pl
import pytest

import irkit
from irkit.cli import main
from irkit.incident import Incident, Revocation, parse_revocation
from irkit.rules import KINDS
from irkit.triggers import triggers
from tests.analysis_fixtures import BENIGN_EXEMPT, analysis_case, ground_truth, lake_uid, ts  # noqa: F401

TRUTH = ground_truth()


@pytest.fixture(scope="module")
def fired(analysis_case: irkit.Case) -> pl.DataFrame:  # noqa: F811
    return analysis_case.triggers("invoice-agent")


@pytest.fixture(scope="module")
def checklist(analysis_case: irkit.Case) -> pl.DataFrame:  # noqa: F811
    return analysis_case.revocation_checklist("invoice-agent")


def _assert_matches_truth(case: irkit.Case, fired: pl.DataFrame) -> None:
    truth_pairs = {(t["kind"], t["identity"]) for t in TRUTH["triggers"]}
    assert set(zip(fired["kind"], fired["identity"])) == truth_pairs
    evidence: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in fired.iter_rows(named=True):
        evidence[(row["kind"], row["identity"])] |= set(row["evidence"])
    for t in TRUTH["triggers"]:
        for key in ("event_uid", "span_event_uid"):
            if key in t:
                assert lake_uid(case, t[key]) in evidence[(t["kind"], t["identity"])], t


def test_expected_triggers_fire_for_the_suspect(analysis_case: irkit.Case, fired: pl.DataFrame) -> None:  # noqa: F811
    _assert_matches_truth(analysis_case, fired)


def test_every_agent_gives_the_same_answer_and_background_stays_silent(analysis_case: irkit.Case) -> None:  # noqa: F811
    every_agent = analysis_case.triggers()
    _assert_matches_truth(analysis_case, every_agent)
    assert set(every_agent["identity"]) <= BENIGN_EXEMPT
    assert analysis_case.triggers("support-triage-agent").is_empty()


@pytest.mark.parametrize("since", ["2026-10-29T00:00:00Z", "2026-11-06T00:00:00Z", "2026-11-10T14:00:00Z"])
def test_the_answer_does_not_depend_on_where_the_window_starts(analysis_case: irkit.Case, since: str) -> None:  # noqa: F811
    _assert_matches_truth(analysis_case, analysis_case.triggers(since=since))


def test_trigger_rows_explain_themselves(fired: pl.DataFrame) -> None:
    assert fired["kind"].is_in(list(KINDS)).all()
    assert fired["severity"].is_in(["critical", "high", "medium"]).all()
    assert (fired["reason"].str.len_chars() > 20).all() and (fired["evidence"].list.len() >= 1).all()
    assert (fired["time"] <= fired["last_time"]).all()
    # The ops-admin session's reads are the suspect's: it opened that session.
    prod = fired.filter((pl.col("kind") == "new_production_data") & (pl.col("subject") == "arn:aws:s3:::acme-prod-customer-data")
                        & (pl.col("identity") == "invoice-agent")).row(0, named=True)
    assert prod["via"] == "role session" and prod["acted_as"] == ["ops-admin"]


def test_post_revocation_use_of_the_persistence_key(analysis_case: irkit.Case, fired: pl.DataFrame) -> None:  # noqa: F811
    after = fired.filter(pl.col("kind") == "activity_after_revocation")
    key = TRUTH["used_after_revocation"][0]["credential"]
    assert after["subject"].to_list() == [key]
    row = after.row(0, named=True)
    want = [t["event_uid"] for t in TRUTH["triggers"] if t["kind"] == "activity_after_revocation"]
    assert row["evidence"] == want and row["severity"] == "critical"
    assert row["attributed_to"] == "invoice-agent" and row["via"] == "created credential"
    first = TRUTH["used_after_revocation"][0]
    assert row["time"] == ts(first["first_use"]) and row["evidence"][0] == first["event_uid"]


def test_revocations_given_by_hand(analysis_case: irkit.Case) -> None:  # noqa: F811
    case, key = analysis_case, TRUTH["used_after_revocation"][0]["credential"]
    after = [t for t in TRUTH["triggers"] if t["kind"] == "activity_after_revocation"]
    # A key revoked at midnight and still used afterwards (no suspect: nothing counts as its creator's).
    midnight = Incident(revocations=[Revocation(key, ts("2026-11-11T00:00:00Z"))])
    out = triggers(case.con, case.inventory, midnight, ["invoice-agent"]).filter(pl.col("kind") == "activity_after_revocation")
    assert out["evidence"].to_list() == [[t["event_uid"] for t in after if ts(t["time"]) > ts("2026-11-11T00:00:00Z")]]
    # TIME alone (the CLI's --revoked-at TIME) revokes everything of the suspect then.
    early = Incident(suspect="invoice-agent", detected_at=case.incident.detected_at,
                     revocations=[parse_revocation("2026-11-10T14:09:00Z")])
    out = triggers(case.con, case.inventory, early, ["invoice-agent"]).filter(pl.col("kind") == "activity_after_revocation")
    assert {"invoice-agent[bot]", "0oao9rl9Le5PIc6I30eN", "invoice-agent", key} <= set(out["subject"])
    # Through the case: a --revoked-at adds to the incident file's revocations.
    more = case.triggers("invoice-agent", revocations=[f"{key}=2026-11-10T21:48:00Z"])
    assert more.filter(pl.col("kind") == "activity_after_revocation")["evidence_count"].sum() == len(after)


def test_thresholds_are_configurable(analysis_case: irkit.Case) -> None:  # noqa: F811
    strict = analysis_case.triggers("invoice-agent", reach_min_new=50)
    assert "downstream_reach" not in set(strict["kind"])


def test_revocation_checklist_against_the_truth(checklist: pl.DataFrame) -> None:
    rows = {r["item"]: r for r in checklist.iter_rows(named=True)}
    for q in TRUTH["quiet_after_revocation"]:
        row = rows[q["credential"]]
        assert row["status"] == "quiet" and row["revoked"] and row["last_use"] == ts(q["last_use"]), row
    for u in TRUTH["used_after_revocation"]:
        row = rows[u["credential"]]
        assert row["status"] == "USED AFTER REVOCATION" and row["first_after"] == ts(u["first_use"])
        assert row["first_after_event"] == u["event_uid"]
    for p in TRUTH["persistence"]:
        row = rows[p["credential"]]
        assert row["revoked"] is p["revoked"] and row["created_by_event"] == p["created_by_event"]
        assert row["via"] == "created by invoice-agent"
    assert rows[TRUTH["persistence"][0]["credential"]]["revocation_path"] == "Deactivate and delete the user's access keys."
    assert rows["recon-subagent"]["revocation_path"].startswith("none")


def test_revocations_are_confirmed_by_logged_events(analysis_case: irkit.Case) -> None:  # noqa: F811
    done = analysis_case.revocations()
    assert done["confirmed"].all()
    assert {(r["target"], r["event_uid"]) for r in done.iter_rows(named=True)} == {
        (r["target"], lake_uid(analysis_case, r["event_uid"])) for r in TRUTH["revocations"]}


def test_over_privilege(analysis_case: irkit.Case) -> None:  # noqa: F811
    view = analysis_case.over_privilege("invoice-agent")
    status = {(r["dimension"], r["item"]): r["status"] for r in view.iter_rows(named=True)}
    assert status[("tool", "run_shell")] == "USED, NOT GRANTED"
    assert status[("tool", "read_document")] == "used, granted"
    assert status[("data", "arn:aws:s3:::acme-invoices-inbox")] == "used, granted"
    assert status[("data", "namespaces/payments/secrets")] == "USED, NOT GRANTED"
    assert set(view["identity"]) == {"invoice-agent"}


def test_cli_triggers_exit_1_with_findings(analysis_case: irkit.Case, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    assert main(["triggers", str(analysis_case.root), "--actor", "invoice-agent", "--format", "json"]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert {r["kind"] for r in rows} == {t["kind"] for t in TRUTH["triggers"]}
    assert main(["triggers", str(analysis_case.root), "--actor", "support-triage-agent"]) == 0
    assert "no trigger fired" in capsys.readouterr().out


def test_cli_revocation_and_blast_radius(analysis_case: irkit.Case, capsys: pytest.CaptureFixture[str], tmp_path) -> None:  # noqa: F811
    assert main(["revocation", str(analysis_case.root), "--actor", "invoice-agent", "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert any(r["status"] == "USED AFTER REVOCATION" for r in out["checklist"]) and len(out["revocations"]) == 5
    export = tmp_path / "radius.graphml"
    assert main(["blast-radius", str(analysis_case.root), "--actor", "invoice-agent",
                 "--since", TRUTH["times"]["compromise"], "--format", "json", "--export", str(export)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {r["uid"] for r in out["identities"]} == {r["uid"] for r in TRUTH["touched"]["identities"]}
    assert export.stat().st_size > 0
