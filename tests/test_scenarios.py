"""The acceptance of every analysis on every scenario, against each scenario's answer key.

For each story: what the suspect touched (identities, resources, systems: precision and recall at
least 0.95, first-touch times), every expected trigger with its evidence and none for identities the
story leaves out, the shared identities' own activity kept out of the suspect's answers, every
persisted credential on the revocation checklist and its use after revocation found, every attack API
call attributed to the right tool call and agent, the delegation chain with its proving events.
"""

from __future__ import annotations

from typing import Any

import pytest

import irkit
from tests.analysis_fixtures import lake_system, lake_uid
from tests.scenarios import Scenario, scenarios, ts

SCENARIOS = scenarios()
_CASES: dict[str, irkit.Case] = {}


@pytest.fixture(scope="module", params=SCENARIOS, ids=[s.name for s in SCENARIOS])
def scenario(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Scenario, irkit.Case]:
    sc: Scenario = request.param
    if sc.name not in _CASES:
        _CASES[sc.name] = sc.build(tmp_path_factory.mktemp(sc.name) / "case")
    return sc, _CASES[sc.name]


def test_there_are_several_different_stories() -> None:
    assert len(SCENARIOS) >= 1
    assert len({s.suspect for s in SCENARIOS}) == len(SCENARIOS)


def canonical(case: irkit.Case, name: str) -> str:
    """The canonical identity an answer key's name (an id or any alias) resolves to."""
    try:
        return case.identity_id(name)
    except irkit.IrkitError:
        return name


def _score(got: set[str], want: set[str]) -> tuple[float, float]:
    hit = len(got & want)
    return (hit / len(got) if got else 1.0), (hit / len(want) if want else 1.0)


@pytest.mark.parametrize("kind", ["identities", "resources", "systems"])
def test_touched_precision_recall_and_first_touch(scenario: tuple[Scenario, irkit.Case], kind: str) -> None:
    sc, case = scenario
    radius = case.blast_radius(sc.suspect, since=sc.compromise)
    table = getattr(radius, kind)
    truth = sc.truth["touched"][kind]
    want = {lake_system(case, r["uid"]) if kind == "systems" else r["uid"]: r for r in truth}
    got = {r["uid"]: r for r in table.iter_rows(named=True)}
    if kind == "resources":  # answer keys differ on listing a principal acted on as a resource too
        principals = {r["uid"] for r in sc.truth["touched"]["identities"]}
        want = {u: r for u, r in want.items() if u not in principals}
        got = {u: r for u, r in got.items() if u not in principals}
    precision, recall = _score(set(got), set(want))
    assert precision >= 0.95 and recall >= 0.95, (
        f"{sc.name} {kind}: precision {precision:.2f}, recall {recall:.2f}; "
        f"extra {sorted(set(got) - set(want))[:10]}, missing {sorted(set(want) - set(got))[:10]}")
    both = set(got) & set(want)
    on_time = [u for u in both if got[u]["first_touch"] == ts(want[u]["first_touch"])]
    assert len(on_time) >= 0.95 * len(both), (
        f"{sc.name} {kind}: first touch differs for "
        f"{[(u, got[u]['first_touch'], want[u]['first_touch']) for u in sorted(both - set(on_time))][:5]}")


def test_expected_triggers_fire_with_their_evidence(scenario: tuple[Scenario, irkit.Case]) -> None:
    sc, case = scenario
    fired = case.triggers(sc.suspect)
    evidence: dict[tuple[str, str], set[str]] = {}
    for row in fired.iter_rows(named=True):
        evidence.setdefault((row["kind"], row["identity"]), set()).update(row["evidence"])
    missing = [t for t in sc.truth["triggers"]
               if lake_uid(case, t["event_uid"]) not in evidence.get((t["kind"], canonical(case, t["identity"])), set())]
    assert not missing, f"{sc.name}: expected triggers without their evidence: {missing[:5]}"


def test_no_trigger_fires_for_identities_outside_the_story(scenario: tuple[Scenario, irkit.Case]) -> None:
    sc, case = scenario
    every_agent = case.triggers()
    expected = sc.story_identities | {t["identity"] for t in sc.truth["triggers"] + sc.truth.get("may_fire", [])}
    outside = set(every_agent["identity"]) - {canonical(case, i) for i in expected}
    assert not outside, f"{sc.name}: triggers for benign identities {sorted(outside)}"


def test_shared_identities_own_activity_is_not_the_suspects(scenario: tuple[Scenario, irkit.Case]) -> None:
    sc, case = scenario
    benign = {lake_uid(case, uid) for uid in _benign_events(sc.truth)}
    if not benign:
        # the sample's generator keeps no background event ids; its shared-role case (an admin's later
        # ops-admin session) is asserted from the story in tests/test_control_sample.py
        pytest.skip(f"{sc.name}: the answer key lists no shared identity's own activity (benign_shared); "
                    "the sample's shared-role case is tests/test_control_sample.py")
    timeline = set(case.timeline(sc.suspect, since=sc.compromise)["event_uid"].to_list())
    assert not benign & timeline, f"{sc.name}: benign events in the suspect's timeline: {sorted(benign & timeline)[:5]}"
    radius = case.blast_radius(sc.suspect, since=sc.compromise)
    proof = {e for t in (radius.identities, radius.credentials, radius.resources, radius.systems)
             for p in t["path"].to_list() for e in p}
    assert not benign & proof, f"{sc.name}: benign events prove blast-radius reach: {sorted(benign & proof)[:5]}"


def _benign_events(truth: dict[str, Any]) -> list[str]:
    shared = truth.get("benign_shared") or []
    if isinstance(shared, dict):
        shared = [u for v in shared.values() for u in (v if isinstance(v, list) else [v])]
    return [s if isinstance(s, str) else s["event_uid"] for s in shared]


def test_persisted_credentials_are_on_the_checklist_and_their_use_after_revocation_is_found(
        scenario: tuple[Scenario, irkit.Case]) -> None:
    sc, case = scenario
    checklist = case.revocation_checklist(sc.suspect, since=sc.compromise)
    items = {r["item"]: r for r in checklist.iter_rows(named=True)}
    for p in sc.truth.get("persistence", []):
        assert p["credential"] in items, f"{sc.name}: persisted credential {p['credential']} not on the checklist"
        assert items[p["credential"]]["created_by_event"] == lake_uid(case, p["created_by_event"])
    for used in sc.truth.get("used_after_revocation", []):
        row = items.get(used["credential"])
        assert row is not None, f"{sc.name}: {used['credential']} not on the checklist"
        assert row["status"] == "USED AFTER REVOCATION", (sc.name, row)
        assert row["first_after"] == ts(used["first_use"]), (sc.name, row["first_after"], used["first_use"])


def test_attack_api_calls_are_attributed_to_their_tool_call_and_agent(scenario: tuple[Scenario, irkit.Case]) -> None:
    sc, case = scenario
    got = {r["api_event_uid"]: r for r in case.attribute(sc.suspect).iter_rows(named=True)}
    wrong = []
    for a in sc.truth.get("attribution", []):
        row = got.get(lake_uid(case, a["event_uid"]))
        call = a["tool_call"]
        expected = {lake_uid(case, call["span_event_uid"]) if call.get("span_event_uid") else None,
                    lake_uid(case, call["mcp_event_uid"]) if call.get("mcp_event_uid") else None} - {None}
        if row is None or row["tool_call_uid"] not in expected or row["agent"] != call["agent"]:
            wrong.append((a["event_uid"], call["agent"], call["tool"], row and (row["agent"], row["tool_name"])))
    assert not wrong, f"{sc.name}: {len(wrong)} attack calls misattributed, e.g. {wrong[:3]}"


def test_the_delegation_chain_is_complete_with_proving_events(scenario: tuple[Scenario, irkit.Case]) -> None:
    sc, case = scenario
    chain = case.delegation_chain(sc.suspect, since=sc.compromise)
    got = [(h["uid"], h["event_uid"]) for h in chain]
    want = [(h["uid"], lake_uid(case, h["event_uid"])) for h in sc.truth["delegation_chain"]]
    missing = [h for h in want if h not in got]
    assert not missing, f"{sc.name}: chain misses {missing}; got {got}"
    assert [h for h in got if h in want] == want, f"{sc.name}: the chain's hops are out of order: {got}"
