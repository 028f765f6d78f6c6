"""Control on the sample incident: what the story says is not the suspect's stays out of every answer.

The story: the agent's sub-agent assumed ops-admin during the attack; hours after containment a human
administrator assumes the same role for his own work. His session shares the role with the attack's,
not its control: it must not appear in the suspect's sessions, timeline, blast radius or triggers.
"""

from __future__ import annotations

import irkit
from tests.analysis_fixtures import COMPROMISE, analysis_case, ground_truth, ts  # noqa: F401

OPS_ADMIN = "arn:aws:iam::111122223333:role/ops-admin"


def _admin_keys(case: irkit.Case) -> set[str]:
    """The temporary keys of ops-admin sessions opened after the suspect was contained."""
    revoked = ts(ground_truth()["times"]["revoked"])
    rows = case.sql("SELECT DISTINCT e.credential_uid FROM events e JOIN actors a USING (actor_uid) "
                    "WHERE a.session_of = $role AND e.time > $t AND e.credential_uid IS NOT NULL", role=OPS_ADMIN, t=revoked)
    return set(rows["credential_uid"].to_list())


def test_the_story_has_a_later_admin_session(analysis_case: irkit.Case) -> None:  # noqa: F811
    assert _admin_keys(analysis_case), "the sample lost the administrator's later ops-admin session"


def test_a_later_admin_session_of_the_same_role_is_not_the_suspects(analysis_case: irkit.Case) -> None:  # noqa: F811
    keys = _admin_keys(analysis_case)
    sessions = analysis_case.sessions("invoice-agent", reach=True, since=COMPROMISE)
    assert not keys & set(sessions["session_id"].to_list())
    timeline = analysis_case.timeline("invoice-agent", since=COMPROMISE)
    assert not keys & set(timeline["credential_uid"].drop_nulls().to_list())
    radius = analysis_case.blast_radius("invoice-agent", since=COMPROMISE)
    assert not keys & set(radius.credentials["uid"].to_list())
    fired = analysis_case.triggers("invoice-agent")
    evidence = {e for ev in fired["evidence"].to_list() for e in ev}
    admin_events = set(analysis_case.sql("SELECT event_uid FROM events WHERE list_contains($k, credential_uid)",
                                         k=sorted(keys))["event_uid"].to_list())
    assert not evidence & admin_events


def test_the_attacks_own_ops_admin_session_is_the_suspects(analysis_case: irkit.Case) -> None:  # noqa: F811
    attack_key = next(s["id"] for s in ground_truth()["sessions"] if "ops-admin" in s["what"])
    sessions = analysis_case.sessions("invoice-agent", reach=True, since=COMPROMISE)
    assert attack_key in sessions["session_id"].to_list()
