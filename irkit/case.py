"""A case: one investigation folder holding the evidence lake, its manifest and its settings.

``Case`` only wires things together: ingest, the DuckDB views over the lake, and the analyses, each
of which lives in its own module as a function over tables.
"""

from __future__ import annotations

import json
import warnings
from datetime import datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa

from irkit import __version__, derived, lake
from irkit.attribution import attribute, clock_offsets
from irkit.chain import delegation_chain
from irkit.control import compute_control
from irkit.db import connect, duck_type, frame, parquet_source, run_script
from irkit.errors import CaseError, UsageError
from irkit.evidence import DEFAULT_MAX_BYTES
from irkit.identity import IdentityCard, identity_card, resolve_name
from irkit.incident import Incident, load_incident
from irkit.ingest import IngestSummary, ingest
from irkit.inventory import Inventory, load_inventory
from irkit.schema import EVENT_COLUMNS, EVENT_SCHEMA, QUARANTINE_SCHEMA
from irkit.sessions import sessions as build_sessions
from irkit.sql import query
from irkit.timeutil import parse_duration, parse_time

SETTINGS = "case.json"

#: Views derived from ``events``, computed when queried, in order (a view may read the ones before it).
DERIVED_VIEWS: tuple[str, ...] = ("call_agents", "tool_calls")

MANIFEST_SCHEMA = pa.schema(
    [
        ("commit", pa.string()), ("file", pa.string()), ("path", pa.string()), ("member", pa.string()),
        ("sha256", pa.string()), ("size", pa.int64()), ("source", pa.string()),
        ("loader_version", pa.string()), ("read", pa.int64()), ("loaded", pa.int64()),
        ("quarantined", pa.int64()), ("duplicates", pa.int64()), ("conflicts", pa.int64()),
        ("status", pa.string()), ("error", pa.string()), ("member_index", pa.int64()),
    ]
)


def open_case(path: str | Path, *, create: bool = True) -> Case:
    """Open the case folder at ``path``, creating it when ``create`` is true and it does not exist."""
    root = Path(path)
    settings = root / SETTINGS
    if not settings.exists():
        if not create:
            raise CaseError("not an irkit case (no case.json); create it with `irkit ingest`", path=root)
        if root.exists() and any(root.iterdir()):
            raise CaseError("folder exists, is not empty and is not an irkit case", path=root)
        root.mkdir(parents=True, exist_ok=True)
        settings.write_text(json.dumps({"irkit": __version__, "created_by": "irkit"}, indent=2) + "\n")
    return Case(root)


class Case:
    """An investigation folder. Create or open one with :func:`open_case`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._con: duckdb.DuckDBPyConnection | None = None
        self._derived_stale = False
        self._inventory: Inventory | None = None
        self._warned = False

    # -- settings -------------------------------------------------------------------------------
    @property
    def settings(self) -> dict[str, Any]:
        return json.loads((self.root / SETTINGS).read_text())

    def remember(self, **values: Any) -> None:
        """Store settings in case.json (e.g. the last inventory given)."""
        settings = self.settings
        settings.update(values)
        tmp = self.root / (SETTINGS + ".tmp")
        tmp.write_text(json.dumps(settings, indent=2, sort_keys=True) + "\n")
        tmp.replace(self.root / SETTINGS)

    # -- identities -----------------------------------------------------------------------------
    @property
    def inventory(self) -> Inventory:
        """The identity inventory last given to this case; when none was, the one learned from the logs
        (aliases the records prove, production guesses: :mod:`irkit.inventory_draft`, ``learned`` true)."""
        if self._inventory is None:
            path = self.settings.get("inventory")
            if path:
                self._inventory = load_inventory(path)
            else:
                self._inventory = self._learned().inventory()
        return self._inventory

    def learned(self) -> Any:
        """What the logs alone say about identities and data (:class:`irkit.inventory_draft.Learned`),
        cached per state of the lake in ``learned/<key>.json``."""
        return self._learned()

    def _learned(self) -> Any:
        from irkit import inventory_draft

        commits = lake.Manifest.read(self.root).commits
        key = derived.cache_key(commits[-1]["commit"] if commits else "", ()) + "-" + inventory_draft.cache_salt()
        cached = self.root / "learned" / f"{key}.json"
        if cached.is_file():
            try:
                return inventory_draft.Learned.from_json(json.loads(cached.read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, TypeError):
                pass
        con = self._connection()
        empty = Inventory()
        con.register("inventory_aliases", empty.alias_table())
        con.register("inventory_identities", empty.identity_table())
        for name in ("principal_hops", "credentials_seen", "identity_links"):
            con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS " + run_script(con, query(f"view_{name}")))
        learned = inventory_draft.learn(con)
        self._derived_stale = True
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            for old in cached.parent.glob("*.json"):
                old.unlink(missing_ok=True)
            cached.write_text(json.dumps(learned.to_json(), default=str) + "\n", encoding="utf-8")
        except OSError:
            pass  # a read-only case folder goes without the cache
        return learned

    def use_inventory(self, path: str | Path) -> Inventory:
        """Load an inventory file and remember it for this case."""
        self._inventory = load_inventory(path)
        self.remember(inventory=str(Path(path).resolve()))
        if self._con is not None:
            self._refresh_views()
        return self._inventory

    def identity(self, name: str) -> IdentityCard:
        """The identity card for an id, alias or actor uid: aliases, owners, credentials, delegation tree."""
        return identity_card(self.con, self.inventory, name)

    def sessions(
        self,
        identity: str | None = None,
        *,
        since: str | datetime | None = None,
        until: str | datetime | None = None,
        gap: str | timedelta = timedelta(minutes=30),
        reach: bool = False,
    ) -> pl.DataFrame:
        """Sessions (native ids first, then inactivity gaps) in which the identity acted (every session
        when None); ``reach=True``: the sessions of every event it controls from ``since`` on (its own,
        its sub-agents', its role sessions', its created credentials'; :mod:`irkit.control`), not the
        whole life of what it touched; see :mod:`irkit.sessions`."""
        start, end = parse_time(since, "since"), parse_time(until, "until")
        if identity and reach:
            ident = self.identity_id(identity)
            compute_control(self.con, [ident], start, end)
            return build_sessions(self.con, None, start, end, parse_duration(gap, "gap"), controlled_by=ident)
        idents = [self.identity_id(identity)] if identity else None
        return build_sessions(self.con, idents, start, end, parse_duration(gap, "gap"))

    def clock_offsets(self, identity: str) -> pl.DataFrame:
        """How far each API source's clock runs ahead of the agent telemetry, as attribution estimates
        it for the identity's API calls; see :func:`irkit.attribution.clock_offsets`."""
        return clock_offsets(self.con, self.identity_id(identity))

    def attribute(self, identity: str, *, window: str | timedelta = timedelta(seconds=5),
                  offsets: dict[str, timedelta | float] | None = None, estimate_clock: bool = True) -> pl.DataFrame:
        """Each API call made with the agent's credentials, paired with the tool call that caused it;
        each API source's clock offset estimated (``estimate_clock``) unless ``offsets`` gives it
        (seconds the source runs fast); see :mod:`irkit.attribution`."""
        return attribute(self.con, self.identity_id(identity), parse_duration(window, "window"),
                         offsets=offsets, estimate_clock=estimate_clock)

    def timeline(
        self, identity: str | None = None, *, since: str | datetime | None = None, until: str | datetime | None = None
    ) -> pl.DataFrame:
        """Over the scope's window (:meth:`scope`), every event the identity (default: the scope's
        suspect) controls (its own, its sub-agents', its role sessions', those made with
        credentials it created, those carrying its delegation; :mod:`irkit.control`), across all
        sources, in time order, each with how it is the identity's (``via``)."""
        sc = self.scope(identity, since=since, until=until)
        compute_control(self.con, [sc.suspect], sc.since, sc.until)
        return frame(self.con, query("timeline"), {"owner": sc.suspect})

    def tool_calls(
        self,
        identity: str | None = None,
        *,
        tools: list[str] | None = None,
        since: str | datetime | None = None,
        until: str | datetime | None = None,
    ) -> pl.DataFrame:
        """MCP tool calls (request paired with its response) with their arguments and outcome, of one
        identity or all, of the named tools or all, in a window; see ``irkit/sql/view_tool_calls.sql``."""
        params = {"identity": self.identity_id(identity) if identity else None, "tools": tools,
                  "since": parse_time(since, "since"), "until": parse_time(until, "until")}
        return frame(self.con, query("tool_calls"), params)

    def shared_credentials(self) -> pl.DataFrame:
        """Credentials used by more than one identity: revoking one cuts off every identity listed."""
        return frame(self.con, query("shared_credentials"))

    # -- the incident ---------------------------------------------------------------------------
    @property
    def incident(self) -> Incident:
        """Suspect, detection time and revocations from the incident file last given (empty if none)."""
        path = self.settings.get("incident")
        return load_incident(path) if path else Incident()

    def use_incident(self, path: str | Path) -> Incident:
        """Load an incident file (suspect, detected_at, revocations) and remember it for this case."""
        incident = load_incident(path)
        self.remember(incident=str(Path(path).resolve()))
        return incident

    def delegation_chain(self, identity: str, *, since: str | datetime) -> list[dict[str, object]]:
        """Human → agent → sub-agent → tool call → principals and credentials → API calls → resources for
        the incident starting at ``since``, each hop with its proving event; see :mod:`irkit.chain`."""
        at = parse_time(since, "since")
        if at is None:
            raise UsageError("delegation_chain needs a since time (the compromise or detection)")
        return delegation_chain(self.con, self.inventory, self.identity_id(identity), at)

    def ownership(self, *, since: str | datetime | None = None, until: str | datetime | None = None) -> pl.DataFrame:
        """Every identity active in the window with its owners and revocation path; ``gaps`` lists what
        is missing ('not in inventory' for identities seen only in the logs). Gaps first."""
        params = {"since": parse_time(since, "since"), "until": parse_time(until, "until")}
        return frame(self.con, query("ownership"), params)

    def identity_id(self, name: str) -> str:
        """The canonical identity id for an id, alias or actor uid."""
        return resolve_name(self.con, self.inventory, name).id

    # -- storage --------------------------------------------------------------------------------
    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The case's DuckDB connection, with views ``events``, ``quarantine`` and ``manifest``, and the
        derived identity tables (materialized on first use after the lake or the inventory changed)."""
        con = self._connection()
        if self._derived_stale:
            inventory = self.inventory  # learning it (no inventory given) reads the lake first
            self._derived_stale = False
            con.register("inventory_aliases", inventory.alias_table())
            con.register("inventory_identities", inventory.identity_table())
            commits = lake.Manifest.read(self.root).commits
            key = derived.cache_key(commits[-1]["commit"] if commits else "",
                                    (inventory.alias_table(), inventory.identity_table()))
            derived.materialize(con, self.root, key)
        return con

    def _connection(self) -> duckdb.DuckDBPyConnection:
        """The connection with the lake views, without materializing the derived tables."""
        if self._con is None:
            self._con = connect()
            self._refresh_views()
        return self._con

    def _refresh_views(self) -> None:
        con = self._connection()
        manifest = self._checked_manifest()
        events = parquet_source(manifest.event_files(), EVENT_SCHEMA, hive=True)
        # a column the schema gained after a lake was written reads as null there (its files lack it)
        present = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {events}").fetchall()}
        columns = ", ".join(c if c in present else f"CAST(NULL AS {duck_type(EVENT_SCHEMA.field(c).type)}) AS {c}"
                            for c in EVENT_COLUMNS)
        con.execute(f"CREATE OR REPLACE VIEW events AS SELECT {columns}, day FROM {events}")
        quarantine = parquet_source(manifest.quarantine_files(), QUARANTINE_SCHEMA, hive=False)
        con.execute(f"CREATE OR REPLACE VIEW quarantine AS SELECT * FROM {quarantine}")
        rows = [
            {**{k: entry.get(k) for k in MANIFEST_SCHEMA.names if k != "commit"}, "commit": commit["commit"]}
            for commit in manifest.commits
            for entry in commit["evidence"]
        ]
        con.register("manifest_table", pa.Table.from_pylist(rows, schema=MANIFEST_SCHEMA))
        con.execute("CREATE OR REPLACE VIEW manifest AS SELECT * FROM manifest_table")
        if self.settings.get("inventory") is None:
            self._inventory = None  # the lake changed: learn again
        self._derived_stale = True  # the inventory tables are registered with the derived ones (con)
        self.__dict__.pop("_scopes", None)  # resolved over the lake as it was
        for name in DERIVED_VIEWS:
            con.execute(f"CREATE OR REPLACE VIEW {name} AS " + run_script(con, query(f"view_{name}")))

    def _checked_manifest(self) -> lake.Manifest:
        """The manifest, once every lake file it names is there and looks like Parquet (one clear error
        naming the first that does not); its problems are warned about once."""
        manifest = lake.Manifest.read(self.root)
        unreadable = manifest.unreadable_files()
        if unreadable:
            (path, reason), more = unreadable[0], len(unreadable) - 1
            raise CaseError(f"lake file {reason}{f' (and {more} more lake files)' if more else ''}; "
                            "run `irkit verify`", path=self.root / path)
        if manifest.problems and not self._warned:
            self._warned = True
            first = manifest.problems[0]
            warnings.warn(f"{self.root / first['path']}: {first['problem']}: {first['detail']} "
                          f"({len(manifest.problems)} manifest problem(s); run `irkit verify`)",
                          lake.IntegrityWarning, stacklevel=4)
        return manifest

    def ingest(
        self,
        paths: str | Path | list[str | Path],
        *,
        source: str | None = None,
        options: dict[str, Any] | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        progress: bool | None = None,
        **bounds: Any,
    ) -> IngestSummary:
        """Load evidence files or folders (plain, .gz, .zip) into the lake; see :mod:`irkit.ingest`
        (``bounds``: ``max_ratio``, ``strict``, ``follow_symlinks``)."""
        if isinstance(paths, (str, Path)):
            paths = [paths]
        lake.check_appendable(self.root)  # before the views warn about the same problems
        summary = ingest(
            self.root, self._connection(), paths, source=source, options=options, max_bytes=max_bytes, progress=progress,
            **bounds,
        )
        self._refresh_views()
        return summary

    def sql(self, query: str, **params: Any) -> pl.DataFrame:
        """Run DuckDB SQL over the lake (views ``events``, ``quarantine``, ``manifest``); parameters are bound."""
        try:
            return frame(self.con, query, params)
        except duckdb.Error as exc:
            damaged = lake.lake_file_error(exc, self.root)
            if damaged is not None:
                raise damaged from exc
            raise UsageError(f"query failed: {exc}") from exc

    def verify(self, public_key: str | None = None) -> dict[str, Any]:
        """Check the manifest's hash chain, re-hash evidence and lake files against it, name lake files
        no commit names, and compare the derived identity tables with the lake; ``ok`` is false if
        anything differs. ``public_key`` (hex) requires a valid signature by it (:mod:`irkit.signing`)."""
        report = lake.verify(self.root, public_key=public_key)
        if not report["ok"]:
            return report
        fresh = Case(self.root)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                con = fresh._connection()
            commits = lake.Manifest.read(self.root).commits
            inventory = self.inventory
            con.register("inventory_aliases", inventory.alias_table())
            con.register("inventory_identities", inventory.identity_table())
            key = derived.cache_key(commits[-1]["commit"] if commits else "",
                                    (inventory.alias_table(), inventory.identity_table()))
            report["problems"] += derived.check(con, self.root, key)
        finally:
            fresh.close()
        report["ok"] = not report["problems"]
        return report

    def close(self) -> None:
        """Close the DuckDB connection (a new one opens on next use)."""
        if self._con is not None:
            self._con.close()
            self._con = None

    @property
    def manifest(self) -> pl.DataFrame:
        """One row per ingested evidence file: hash, size, loader, counts."""
        return self.sql("SELECT * EXCLUDE (path) FROM manifest ORDER BY file")

    def __repr__(self) -> str:
        return f"Case({str(self.root)!r})"

    def _repr_html_(self) -> str:
        counts = self.sql("SELECT source, count(*) AS events, min(time) AS first, max(time) AS last FROM events GROUP BY source ORDER BY source")
        rows = "".join(
            "<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>" for row in counts.iter_rows()
        )
        return (
            f"<b>irkit case</b> <code>{escape(str(self.root))}</code>"
            f"<table><tr><th>source</th><th>events</th><th>first</th><th>last</th></tr>{rows}</table>"
        )

    # -- containment and blast radius ---------------------------------------------------------------
    def scope(
        self, suspect: str | None = None, *, since: str | datetime | None = None, until: str | datetime | None = None,
        detected_at: str | datetime | None = None, revocations: list[Any] | tuple[Any, ...] = (),
    ) -> Any:
        """The investigation scope (:class:`irkit.scope.Scope`): suspect (any alias), window and
        revocations, from these arguments, then what the case remembers, then the incident file and the
        documented default window (:mod:`irkit.scope`). Every analysis below computes over it."""
        from irkit import scope

        key = (suspect, str(since), str(until), str(detected_at), tuple(str(r) for r in revocations),
               json.dumps(self.settings.get("scope"), sort_keys=True), self.settings.get("incident"),
               self.settings.get("inventory"))
        cache = self.__dict__.setdefault("_scopes", {})
        if key not in cache:
            cache[key] = scope.resolve(self, suspect, since=since, until=until, detected_at=detected_at,
                                       revocations=revocations)
        return cache[key]

    def _scoped(self, identity: str | None, since: str | datetime | None, until: str | datetime | None,
                revocations: list[Any] | tuple[Any, ...] = ()) -> tuple[Any, datetime | None, datetime | None]:
        """(scope or None, start, end): the scope's window unless given; without any suspect (every
        agent, no incident file) the triggers' default window."""
        try:
            sc = self.scope(identity, since=since, until=until, revocations=revocations)
        except UsageError:
            if identity:
                raise
            from irkit.triggers import default_window

            start, end = default_window(self.con, self._incident_with(revocations), parse_time(since, "since"),
                                        parse_time(until, "until"))
            return None, start, end
        return sc, sc.since, sc.until

    def _incident_with(self, revocations: list[Any] | tuple[Any, ...] = ()) -> Incident:
        """The incident file plus extra revocations (``Revocation`` objects or ``TARGET=TIME`` text)."""
        from irkit.incident import Revocation, parse_revocation

        extra = [r if isinstance(r, Revocation) else parse_revocation(str(r)) for r in revocations]
        return self.incident.with_revocations(extra) if extra else self.incident

    def _suspect(self, identity: str | None) -> str:
        return str(self.scope(identity).suspect)

    def triggers(
        self, identity: str | None = None, *, since: str | datetime | None = None, until: str | datetime | None = None,
        baseline_days: int = 30, reach_factor: float = 2.0, reach_min_new: int = 3,
        revocations: list[Any] | tuple[Any, ...] = (),
    ) -> pl.DataFrame:
        """Containment triggers for ``identity`` and what it reached over the scope's window; with no
        identity, for every agent; see :mod:`irkit.triggers`."""
        from irkit.triggers import TriggerRules, triggers

        rules = TriggerRules(baseline_days=baseline_days, reach_factor=reach_factor, reach_min_new=reach_min_new)
        sc, start, end = self._scoped(identity, since, until, revocations)
        incident = sc.incident if sc is not None else self._incident_with(revocations)
        idents = [self.identity_id(identity)] if identity else None
        return triggers(self.con, self.inventory, incident, idents, start, end, rules)

    def revocation_checklist(
        self, identity: str | None = None, *, since: str | datetime | None = None,
        until: str | datetime | None = None, revocations: list[Any] | tuple[Any, ...] = (),
    ) -> pl.DataFrame:
        """Every credential and identity the suspect used or created, revoked or not, quiet or not, over
        the scope's window; see :func:`irkit.revocation.revocation_checklist`."""
        from irkit.revocation import revocation_checklist

        sc = self.scope(identity, since=since, until=until, revocations=revocations)
        return revocation_checklist(self.con, self.inventory, sc.incident, sc.suspect, sc.since, sc.until)

    def containment_actions(
        self, identity: str | None = None, *, since: str | datetime | None = None,
        until: str | datetime | None = None, revocations: list[Any] | tuple[Any, ...] = (),
    ) -> pl.DataFrame:
        """Each open credential of the checklist in words (kind, name, owner, where it lives) with the
        vendor's revocation step and how to verify it, shown, never run; see :mod:`irkit.containment`."""
        from irkit.containment import containment_actions

        checklist = self.revocation_checklist(identity, since=since, until=until, revocations=revocations)
        return containment_actions(self.con, self.inventory, checklist)

    def revocations(self, *, revocations: list[Any] | tuple[Any, ...] = ()) -> pl.DataFrame:
        """The revocations done (the scope's), each with the logged event that carried it out."""
        from irkit.revocation import revocations as confirm

        try:
            incident = self.scope(revocations=revocations).incident
        except UsageError:
            incident = self._incident_with(revocations)
        return confirm(self.con, incident)

    def over_privilege(
        self, identity: str | None = None, *, since: str | datetime | None = None, until: str | datetime | None = None
    ) -> pl.DataFrame:
        """Granted (inventory scope) versus used in the scope's window; see :func:`irkit.revocation.over_privilege`."""
        from irkit.revocation import over_privilege

        _sc, start, end = self._scoped(identity, since, until)
        return over_privilege(self.con, self.inventory, start, end, [self.identity_id(identity)] if identity else None)

    def root_cause(
        self, identity: str | None = None, *, since: str | datetime | None = None, until: str | datetime | None = None
    ) -> Any:
        """Over-privilege, unsafe tool use, mis-scoped deployment: each a verdict with its events, and the
        injection's provenance; a :class:`irkit.rootcause.RootCause`. The window defaults to the
        triggers' (24 h before detection)."""
        from irkit.rootcause import root_cause

        return root_cause(self.con, self.inventory, self.incident, self._suspect(identity),
                          parse_time(since, "since"), parse_time(until, "until"))

    def blast_radius(
        self, identity: str | None = None, *, since: str | datetime | None = None, until: str | datetime | None = None
    ) -> Any:
        """Time-respecting reach of the suspect over the scope's window; a :class:`irkit.graph.BlastRadius`."""
        from irkit.graph import blast_radius

        sc = self.scope(identity, since=since, until=until)
        return blast_radius(self.con, self.inventory, sc.suspect, sc.since, sc.until)

    # -- reporting ------------------------------------------------------------------------------------
    def report(
        self,
        suspect: str | None = None,
        out: str | Path = "report.html",
        *,
        since: str | datetime | None = None,
        until: str | datetime | None = None,
        detected_at: str | datetime | None = None,
        revocations: list[Any] | tuple[Any, ...] = (),
        command: str | None = None,
        progress: Any = None,
    ) -> Path:
        """Write the incident report for ``suspect`` (default: the incident file's) as one self-contained
        HTML file; ``since`` defaults to the start of the suspect's activity before detection. See
        :mod:`irkit.report`."""
        from irkit.report import build

        return build(self, suspect, out, since=since, until=until, detected_at=detected_at,
                     revocations=revocations, command=command, progress=progress)

    def export_timeline(
        self, suspect: str | None, out: str | Path, *, format: str = "csv",
        since: str | datetime | None = None, until: str | datetime | None = None, neutralise: bool = True,
    ) -> int:
        """Write the suspect's cross-source timeline for Timesketch (``format`` csv or jsonl); returns
        the number of events. CSV cells a spreadsheet would run as formulas get a leading ``'`` unless
        ``neutralise`` is false. See :mod:`irkit.export`."""
        from irkit import export

        sc = self.scope(suspect, since=since, until=until)
        ident = sc.suspect
        compute_control(self.con, [ident], sc.since, sc.until)
        return export.write_timesketch(export.stream(self.con, query("timeline"), {"owner": ident}), out, format,
                                       neutralise=neutralise)

    def export_ocsf(
        self, out: str | Path, *, suspect: str | None = None, since: str | datetime | None = None,
        until: str | datetime | None = None, raw: bool = False,
    ) -> int:
        """Write normalized events (all, or those the suspect controls over the scope's window) as OCSF JSON lines,
        streamed; ``raw=True`` adds each original record as ``raw_data``. See :mod:`irkit.export`."""
        from irkit import export

        if suspect is not None:  # the suspect's events over the scope's window, like its timeline
            sc = self.scope(suspect, since=since, until=until)
            rows = export.event_rows(self.con, sc.suspect, sc.since, sc.until, raw)
        else:
            rows = export.event_rows(self.con, None, parse_time(since, "since"), parse_time(until, "until"), raw)
        return export.write_ocsf(rows, out)
