"""Interop: the suspect's timeline for Timesketch, and normalized events as OCSF-shaped JSON lines.

Both read the lake in Arrow record batches and write one line per event as they go, so an export of
ten million events holds one batch in memory, never the lake.

*Timesketch* (CSV or JSONL) needs three fields per event: ``message`` (what a person reads in the
timeline), ``datetime`` (ISO 8601) and ``timestamp_desc`` (what the time means); the other columns
become searchable attributes. Log text is hostile and a CSV export is often opened in a spreadsheet:
a CSV cell starting with ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading ``'`` so it is read as
text, not run as a formula (``neutralise=False``, or ``irkit export --raw-csv``, writes it as is).

*OCSF* (Open Cybersecurity Schema Framework 1.3): authentication records become Authentication
(3002, category Identity & Access Management 3); every other record an API Activity (6003, category
Application Activity 6): cloud API calls, Kubernetes requests, MCP and GenAI tool calls alike. What
OCSF has no place for (irkit's own class, the tool, the credential, the evidence location) goes to
``unmapped``. The mapping is declared as data below.
"""

from __future__ import annotations

import csv
import ipaddress
import json
import re
from collections.abc import Callable, Generator, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import duckdb
import pyarrow as pa

from irkit import __version__
from irkit.control import compute_control
from irkit.display import csv_cell
from irkit.errors import UsageError
from irkit.sql import query

OCSF_VERSION = "1.3.0"
BATCH_ROWS = 10_000

#: irkit class_name -> (class_uid, class_name, category_uid, category_name); anything else is API Activity.
OCSF_CLASSES: dict[str, tuple[int, str, int, str]] = {
    "authentication": (3002, "Authentication", 3, "Identity & Access Management"),
}
API_ACTIVITY = (6003, "API Activity", 6, "Application Activity")

#: (activity_id, activity_name, pattern over the operation) per OCSF class, first match wins; else 99 Other.
OCSF_ACTIVITIES: dict[int, tuple[tuple[int, str, re.Pattern[str]], ...]] = {
    3002: (
        (2, "Logoff", re.compile(r"logout|logoff|signout|sign_out|session\.end", re.IGNORECASE)),
        (1, "Logon", re.compile(r"login|logon|signin|sign_in|session\.start|authentication\.sso|auth_via", re.IGNORECASE)),
    ),
    6003: (
        (4, "Delete", re.compile(r"^(delete|remove|detach|revoke|deactivate|destroy|disable)|\bdelete\b|\.(delete|destroy|remove)", re.IGNORECASE)),
        (1, "Create", re.compile(r"^(create|put|add|attach|run|start|issue|generate)|\bcreate\b|\.(create|add)", re.IGNORECASE)),
        (3, "Update", re.compile(r"^(update|modify|set|patch|rotate|enable|tag|untag|reset)|\b(update|patch)\b|\.update", re.IGNORECASE)),
        (2, "Read", re.compile(r"^(get|list|describe|read|head|lookup|search|select|download)|\b(get|list|watch)\b|\.(read|list|get)|^tools/list", re.IGNORECASE)),
    ),
}

STATUS_IDS = {"success": (1, "Success"), "failure": (2, "Failure")}

#: irkit source -> (product name, vendor name, cloud provider or None).
PRODUCTS: dict[str, tuple[str, str, str | None]] = {
    "cloudtrail": ("AWS CloudTrail", "AWS", "AWS"),
    "okta": ("Okta System Log", "Okta", None),
    "entra_signin": ("Microsoft Entra ID sign-in logs", "Microsoft", "Azure"),
    "entra_audit": ("Microsoft Entra ID audit logs", "Microsoft", "Azure"),
    "azure_activity": ("Azure Activity Log", "Microsoft", "Azure"),
    "gcp_audit": ("Cloud Audit Logs", "Google", "GCP"),
    "github_audit": ("GitHub audit log", "GitHub", None),
    "k8s_audit": ("Kubernetes audit log", "Kubernetes", None),
    "mcp": ("MCP gateway log", "Model Context Protocol", None),
    "otel_genai": ("OpenTelemetry GenAI spans", "OpenTelemetry", None),
    "jsonl": ("JSON lines", "unknown", None),
}

#: Timesketch columns after the three it requires, in order (CSV header).
TIMESKETCH_COLUMNS = (
    "message", "datetime", "timestamp_desc", "timestamp", "source", "identity_id", "actor_uid", "operation",
    "status", "tool_name", "target_uid", "target_system", "session_uid", "credential_uid", "src_ip",
    "user_agent", "event_uid", "evidence_file", "evidence_offset",
)
TIMESTAMP_DESC = "Event Time"


# -- reading --------------------------------------------------------------------------------------------
def stream(
    con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any], rows: int = BATCH_ROWS
) -> Generator[dict[str, Any]]:
    """The query's rows as dicts, read one Arrow batch at a time. The connection runs nothing else
    until the rows are drained or the generator is closed (DuckDB keeps one open result per connection)."""
    reader: pa.RecordBatchReader = con.sql(sql, params=params).to_arrow_reader(rows)
    try:
        for batch in reader:
            yield from batch.to_pylist()
    finally:
        reader.close()


def event_rows(
    con: duckdb.DuckDBPyConnection,
    owner: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    raw: bool = False,
) -> Generator[dict[str, Any]]:
    """Normalized events (all of them, or those ``owner`` controls: :mod:`irkit.control`) in time order."""
    if owner is None:
        con.execute("CREATE TEMP TABLE IF NOT EXISTS control_events "
                    "(owner VARCHAR, event_uid VARCHAR, via VARCHAR, proof_event_uid VARCHAR, path VARCHAR[])").fetchall()
    else:
        compute_control(con, [owner], since, until)
    params = {"owner": owner, "since": since, "until": until, "raw": raw}
    return stream(con, query("export_events"), params)


# -- Timesketch -----------------------------------------------------------------------------------------
def timesketch_message(row: dict[str, Any]) -> str:
    """One readable line: who did what, with which tool, to what, and whether it failed."""
    who = row.get("identity_id") or row.get("actor_uid") or "unknown actor"
    parts = [f"{who}: {row.get('operation') or '?'}"]
    if row.get("tool_name"):
        parts.append(f"tool {row['tool_name']}")
    if row.get("target_uid"):
        parts.append(f"on {row['target_uid']}")
    if row.get("target_system"):
        parts.append(f"({row['target_system']})")
    if row.get("status") and row["status"] != "success":
        parts.append(f"[{row['status']}]")
    return " ".join(parts)


def timesketch_event(row: dict[str, Any]) -> dict[str, Any]:
    """A timeline row as a Timesketch event."""
    time: datetime = row["time"]
    out: dict[str, Any] = {
        "message": timesketch_message(row),
        "datetime": time.astimezone(UTC).isoformat(),
        "timestamp_desc": TIMESTAMP_DESC,
        "timestamp": int(time.timestamp() * 1_000_000),
    }
    for column in TIMESKETCH_COLUMNS[4:]:
        out[column] = row.get(column)
    return out


def write_timesketch(rows: Iterable[dict[str, Any]], out: str | Path, fmt: str = "csv", *,
                     neutralise: bool = True) -> int:
    """Write ``rows`` (timeline rows) as Timesketch CSV or JSONL; returns the number of events. CSV cells
    that a spreadsheet would run as formulas are prefixed with ``'`` unless ``neutralise`` is false."""
    if fmt not in ("csv", "jsonl"):
        raise UsageError(f"Timesketch format is csv or jsonl, not {fmt!r}")

    def write(handle: IO[str]) -> int:
        count = 0
        writer = csv.DictWriter(handle, fieldnames=TIMESKETCH_COLUMNS, extrasaction="ignore") if fmt == "csv" else None
        if writer is not None:
            writer.writeheader()
        for row in rows:
            event = timesketch_event(row)
            if writer is not None:
                writer.writerow({k: "" if v is None else csv_cell(v) if neutralise else v for k, v in event.items()})
            else:
                handle.write(json.dumps(event, ensure_ascii=False, default=str) + "\n")
            count += 1
        return count

    return _atomic_write(out, write)


# -- OCSF -----------------------------------------------------------------------------------------------
def ocsf_activity(class_uid: int, operation: str | None) -> tuple[int, str]:
    for activity_id, name, pattern in OCSF_ACTIVITIES.get(class_uid, ()):
        if operation and pattern.search(operation):
            return activity_id, name
    return 99, "Other"


def ocsf_event(row: dict[str, Any]) -> dict[str, Any]:
    """One normalized event as an OCSF Authentication or API Activity object (empty fields left out)."""
    get = row.get
    class_uid, class_name, category_uid, category_name = OCSF_CLASSES.get(get("class_name") or "", API_ACTIVITY)
    activity_id, activity_name = ocsf_activity(class_uid, get("operation"))
    status_id, status = STATUS_IDS.get(get("status") or "", (0, "Unknown"))
    product, vendor, cloud = PRODUCTS.get(row["source"], (row["source"], "unknown", None))
    time: datetime = row["time"]
    user = _obj(uid=get("actor_uid"), name=get("actor_name"), type=get("actor_type"))
    resources = [_obj(uid=get("target_uid"), type=get("target_type"), name=get("target_name"),
                      data=_obj(system=get("target_system")))] if get("target_uid") else []
    resources += [_obj(uid=r.get("uid"), type=r.get("type"), data=_obj(system=r.get("system")))
                  for r in get("resources") or []]
    return _obj(
        class_uid=class_uid, class_name=class_name, category_uid=category_uid, category_name=category_name,
        activity_id=activity_id, activity_name=activity_name,
        type_uid=class_uid * 100 + activity_id, type_name=f"{class_name}: {activity_name}",
        severity_id=1, severity="Informational",
        time=int(time.timestamp() * 1000), time_dt=time.astimezone(UTC).isoformat(),
        status_id=status_id, status=status, status_detail=get("status_detail"),
        metadata=_obj(version=OCSF_VERSION, uid=get("event_uid"), log_name=row["source"],
                      product=_obj(name=product, vendor_name=vendor),
                      profiles=["cloud"] if cloud else None, labels=[f"irkit {__version__}"]),
        actor=_obj(user=user, session=_obj(uid=get("session_uid")), invoked_by=get("delegator_uid")),
        api=_obj(operation=get("operation"), service=_obj(name=get("target_system"))),
        src_endpoint=_endpoint(get("src_ip"), get("src_service")),
        http_request=_obj(user_agent=get("user_agent")),
        cloud=_obj(provider=cloud, account=_obj(uid=get("account_uid"))) if cloud else None,
        resources=[r for r in resources if r],
        user=user if class_uid == 3002 else None,
        trace=_obj(uid=get("trace_uid"), span=_obj(uid=get("span_uid"), parent_uid=get("parent_span_uid"))),
        raw_data=get("raw"),
        unmapped=_obj(irkit_class_name=get("class_name"), identity_id=get("identity_id"),
                      tool_name=get("tool_name"), credential_uid=get("credential_uid"),
                      evidence_file=get("evidence_file"), evidence_sha256=get("evidence_sha256"),
                      evidence_offset=get("evidence_offset"), evidence_path=get("evidence_path")),
    ) or {}


def write_ocsf(rows: Iterable[dict[str, Any]], out: str | Path) -> int:
    """Write normalized event rows as OCSF JSON lines; returns the number of events."""

    def write(handle: IO[str]) -> int:
        count = 0
        for row in rows:
            handle.write(json.dumps(ocsf_event(row), ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
        return count

    return _atomic_write(out, write)


# -- helpers --------------------------------------------------------------------------------------------
def _endpoint(address: str | None, service: str | None) -> dict[str, str] | None:
    """OCSF's source endpoint: the address in ``ip``, the service a call came from or through (CloudTrail's
    ``s3.amazonaws.com``, ``AWS Internal``) in ``svc_name``. Lakes written before ``src_service`` existed kept
    such names in ``src_ip``; they go to ``hostname``, never to ``ip``."""
    ip = hostname = None
    if address:
        try:
            ipaddress.ip_address(address)
            ip = address
        except ValueError:
            hostname = address
    return _obj(ip=ip, hostname=hostname, svc_name=service)


def _obj(**fields: Any) -> dict[str, Any] | None:
    """The fields that have a value (not None, empty text, list or object); None when none has."""
    kept = {k: v for k, v in fields.items() if v is not None and v != "" and v != [] and v != {}}
    return kept or None


def _atomic_write(out: str | Path, write: Callable[[IO[str]], int]) -> int:
    """Write through a temporary file beside ``out`` so a failed export never leaves half a file."""
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            count = write(handle)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return count
