"""Containment triggers: what must be cut off now, each finding with the events that prove it.

Six rules from the practitioners' playbook, each one module of :mod:`irkit.rules` (its query, the
parameters it binds, its wording and severity together) over one scoped event table, comparing a
window with a baseline before it (default: everything before the window, at most 30 days):

========================== ================================================================================
new_production_data        touched a production resource (inventory ``production`` globs) whose container
                           (S3 bucket, Kubernetes namespace/resource type, repository) it never touched before
tool_expansion             called a tool outside its declared ``scope.tools`` / ``scope.systems``, or one it
                           never called in the baseline
downstream_reach           an activity burst reached >= ``reach_min_new`` never-reached downstream areas and
                           identities AND >= ``reach_factor`` x the most a baseline burst reached for the first
                           time (calibrated to the identity's own novelty; see the SQL)
privilege_change           created a long-lived credential; first assumed, impersonated or federated into a
                           principal, or acted as one with a credential it created; gave a permission, role,
                           membership or consent (activity ``grant``)
ownership_gap              acted without business owner, technical owner or revocation path, or absent
                           from the inventory
activity_after_revocation  a revoked principal or credential (or a credential the suspect created, once the
                           suspect was contained) still acted (:mod:`irkit.revocation`)
========================== ================================================================================

Who is responsible for an event? Whoever controls it (:mod:`irkit.control`): its own events, those
made with a credential its events created or were issued (a role session's temporary key), those that
carry its delegation (an impersonation recorded in the event), and its sub-agents' within their
invocation. An access key the suspect created for another user is the suspect's while the suspect is
at large (it was handed the secret: signing in with it is the suspect becoming that user); once the
suspect is contained, the events show that user acting, so rows keep the acting identity and name the
creator in ``attributed_to``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa

from irkit.control import compute_control
from irkit.db import frame
from irkit.incident import Incident
from irkit.inventory import Inventory
from irkit.rules import DEFAULT_THRESHOLDS, KINDS, Thresholds, rule
from irkit.sql import query

#: The thresholds of the rules (``irkit.rules.Thresholds``), under the name callers know.
TriggerRules = Thresholds

#: Columns of :func:`triggers`' result.
TRIGGER_COLUMNS = {
    "kind": "one of KINDS",
    "severity": "critical, high or medium",
    "identity": "the identity the finding is about (role sessions and sub-agents count as who started them)",
    "acted_as": "the identities that actually acted (a role, a sub-agent, the owner of a created key)",
    "session": "native session id of the first evidence event (else null)",
    "time": "first evidence event",
    "last_time": "last evidence event",
    "subject": "what is new or wrong: the resource container, tool, credential, role, identity or burst",
    "reason": "plain-language explanation (text from logs: escape before display)",
    "evidence": "event ids that prove it, in time order (at most 50; see evidence_count)",
    "evidence_count": "how many events support it",
    "via": "self, role session, sub-agent or created credential",
    "attributed_to": "for events made with a created credential: who created it",
}
SCHEMA: dict[str, Any] = {"kind": pl.String, "severity": pl.String, "identity": pl.String, "acted_as": pl.List(pl.String),
          "session": pl.String, "time": pl.Datetime("us", "UTC"), "last_time": pl.Datetime("us", "UTC"),
          "subject": pl.String, "reason": pl.String, "evidence": pl.List(pl.String), "evidence_count": pl.Int64,
          "via": pl.String, "attributed_to": pl.String}


@dataclass
class Scope:
    """The analysed identities, the window and baseline, and what the scoped event table was built from."""

    identities: list[str]
    since: datetime
    until: datetime | None
    baseline_since: datetime
    created: pl.DataFrame  # credential_uid, creator_identity, time, event_uid, operation, target_uid


def default_window(con: duckdb.DuckDBPyConnection, incident: Incident, since: datetime | None,
                   until: datetime | None) -> tuple[datetime, datetime | None]:
    """``since`` defaults to 24 h before detection (the incident file), else 24 h before the last event:
    the first containment question is about the last day, compared with the weeks before it."""
    if since is not None:
        return since, until
    if incident.detected_at is not None:
        return incident.detected_at - timedelta(hours=24), until
    last = con.execute("SELECT max(time) FROM events").fetchall()[0][0]
    if last is None:
        return datetime.now().astimezone() - timedelta(hours=24), until
    return last - timedelta(hours=24), until


def agent_identities(con: duckdb.DuckDBPyConnection, inventory: Inventory) -> list[str]:
    """Every agent: declared with kind agent, or seen acting as an agent in the logs."""
    seen = con.execute("SELECT DISTINCT identity_id FROM actors WHERE actor_type = 'agent'").fetchall()
    declared = {i.id for i in inventory.identities.values() if i.kind == "agent"}
    return sorted(declared | {r[0] for r in seen if r[0] is not None})


# -- who is responsible for what --------------------------------------------------------------------
def build_scope(con: duckdb.DuckDBPyConnection, identities: list[str], since: datetime, until: datetime | None,
                rules: Thresholds = DEFAULT_THRESHOLDS, contained: Mapping[str, datetime] | None = None) -> Scope:
    """Materialize ``trigger_events`` (``triggers_scope.sql``): the events the identities control
    (:mod:`irkit.control`) in the window and the baseline before it, and ``trigger_created``
    (``trigger_candidates`` holds the control candidates' columns of every such event).
    ``contained``: identity -> when it was contained (its last revocation): from then on, the events
    made with a credential it created are the acting identity's (see ``triggers_scope.sql``)."""
    baseline_since = since - timedelta(days=rules.baseline_days)
    con.register("trigger_contained_arrow", pa.table({
        "owner": pa.array(list((contained or {}).keys()), pa.string()),
        "at": pa.array(list((contained or {}).values()), pa.timestamp("us", tz="UTC"))}))
    con.execute("CREATE OR REPLACE TEMP TABLE trigger_contained AS SELECT * FROM trigger_contained_arrow").fetchall()
    con.unregister("trigger_contained_arrow")
    compute_control(con, identities, baseline_since, until)
    con.execute("CREATE OR REPLACE TEMP TABLE trigger_control AS SELECT * FROM control_events").fetchall()
    con.execute("DROP TABLE IF EXISTS trigger_candidates").fetchall()
    con.execute("ALTER TABLE control_candidates RENAME TO trigger_candidates").fetchall()  # kept, not copied
    created = frame(con, query("triggers_created_credentials"), {"since": since})
    con.register("trigger_created", created.select("credential_uid", "creator_identity", "time", "event_uid",
                                                   "kind", "target_uid").to_arrow())
    users = [r[0] for r in con.execute(
        "SELECT DISTINCT e.acting_identity FROM trigger_control c JOIN trigger_candidates e USING (event_uid) "
        "WHERE c.via = 'created credential' AND e.time >= $since",
        {"since": since}).fetchall() if r[0] and r[0] not in identities]
    if users:  # their own habits, for comparing what they did with the created credential
        compute_control(con, users, baseline_since, since - timedelta(microseconds=1))
        con.execute("CREATE OR REPLACE TEMP TABLE trigger_control_users AS SELECT * FROM control_events").fetchall()
        con.execute("INSERT INTO trigger_candidates SELECT * FROM control_candidates "
                    "WHERE event_uid NOT IN (SELECT event_uid FROM trigger_candidates)").fetchall()
    else:
        con.execute("CREATE OR REPLACE TEMP TABLE trigger_control_users AS SELECT * FROM trigger_control WHERE false").fetchall()
    con.execute("CREATE OR REPLACE TEMP TABLE trigger_events AS " + query("triggers_scope"), {"since": since}).fetchall()
    con.execute(query("triggers_scope_dedupe")).fetchall()
    return Scope(identities, since, until, baseline_since, created)


# -- the rules --------------------------------------------------------------------------------------
def triggers(
    con: duckdb.DuckDBPyConnection,
    inventory: Inventory,
    incident: Incident,
    identities: list[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    rules: Thresholds = DEFAULT_THRESHOLDS,
) -> pl.DataFrame:
    """One row per fired trigger (see :data:`TRIGGER_COLUMNS`) for ``identities`` (None: every agent)
    and everything they reached, in the window [since, until] (see :func:`default_window`)."""
    from irkit.revocation import after_revocation, containment

    since, until = default_window(con, incident, since, until)
    scope = build_scope(con, identities or agent_identities(con, inventory), since, until, rules,
                        containment(con, inventory, incident))
    found = []
    for kind in KINDS:
        module = rule(kind)
        params = module.params(inventory, rules)
        if params is None:  # the rule cannot be judged here (e.g. no production patterns declared)
            continue
        rows = (after_revocation(con, inventory, incident, scope) if module.QUERY is None
                else frame(con, query(module.QUERY), params or None))
        found.append(_finish(kind, rows, rules))
    return pl.concat(found, how="vertical").sort("time", "kind", "identity", "subject")


def _finish(kind: str, rows: pl.DataFrame, rules: TriggerRules) -> pl.DataFrame:
    """Rule rows -> the common trigger columns, with severity and a plain-language reason."""
    out = []
    for r in rows.iter_rows(named=True):
        reason, severity = rule(kind).explain(r, rules)
        acted = r.get("acted_as") or [r["identity"]]
        out.append({"kind": kind, "severity": severity, "identity": r["identity"], "acted_as": acted,
                    "session": r.get("session"), "time": r["time"], "last_time": r.get("last_time"),
                    "subject": r["subject"], "reason": reason, "evidence": list(dict.fromkeys(r["evidence"] or [])),
                    "evidence_count": r.get("evidence_count") or len(r["evidence"] or []),
                    "via": r.get("via") or "self", "attributed_to": r.get("attributed_to")})
    return pl.DataFrame(out, schema=SCHEMA)
