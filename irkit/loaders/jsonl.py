"""Generic JSON lines: an in-house log loaded through a field mapping instead of a loader of its own.

Never chosen by detection: the analyst names it and gives the mapping (``irkit ingest --source jsonl
--mapping FILE.yaml``, or ``case.ingest(paths, source="jsonl", options=mapping_options(mapping))``).
The mapping says, for each normalized column, which JSON path of the record holds it (``$.ts``,
``$.actor.email``, ``$."user-agent"``) or which constant it takes; docs/jsonl_mapping.md has the full
reference and an example. :func:`mapping_options` validates a mapping and turns it into the named
parameters ``jsonl.sql`` binds (all of them: DuckDB refuses a query with a parameter missing or extra).

Mapping (see docs/normalization.md):

=================  ==========================================================================
event_uid          ``<source_label>:<value at the event_uid path>``; else SHA-256 of raw
time               value at the ``time`` path: ISO-8601 or epoch s/ms/us/ns, or ``time_format``
status             failure when the status value (lower-cased) is in ``failure_values``;
                   success for any other value; unknown when there is none
class_name         mapped, else ``api_activity``
actor_type         human/user/person → human, service/service_account/application/app/system →
                   service, agent/ai_agent/bot/assistant → agent, anything else → unknown
target_system      mapped, else the ``source_label``
resources          the target, when there is one
=================  ==========================================================================
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from irkit.errors import UsageError

NAME = "jsonl"
VERSION = "1.0"
DESCRIPTION = "Generic JSON lines through an analyst's field mapping (named explicitly, never detected)"
DETECTABLE = False

#: Columns a mapping may fill, each from a JSON path or with a constant.
FIELDS: tuple[str, ...] = (
    "event_uid", "class_name", "operation", "status", "status_detail",
    "actor_uid", "actor_type", "actor_name", "account_uid", "session_uid", "credential_uid", "delegator_uid",
    "target_uid", "target_type", "target_name", "target_system",
    "src_ip", "user_agent", "trace_uid", "span_uid", "parent_span_uid", "tool_name",
)
#: Fields that only make sense read from the record, never as a constant.
PATH_ONLY = frozenset({"time", "event_uid"})
#: Status values meaning failure when the mapping gives none (compared lower-case).
DEFAULT_FAILURE_VALUES: tuple[str, ...] = (
    "failure", "failed", "fail", "error", "denied", "deny", "rejected", "blocked", "unauthorized", "forbidden", "false",
)
KEYS: tuple[str, ...] = ("source_label", "time", "time_format", "failure_values", *FIELDS)

_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")


def sniff(records: Sequence[object]) -> bool:
    """Never: a generic log is only read when the analyst names this loader and gives a mapping."""
    return False


def mapping_options(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """The bound parameters of ``jsonl.sql`` for ``mapping``: validated, every parameter present.

    Raises :class:`~irkit.errors.UsageError` naming the offending key.
    """
    if not isinstance(mapping, Mapping):
        raise UsageError(f"a jsonl mapping is a set of key: value pairs, not {type(mapping).__name__}")
    unknown = [k for k in mapping if k not in KEYS]
    if unknown:
        key = str(unknown[0])
        near = difflib.get_close_matches(key, KEYS, n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else f"; known keys: {', '.join(KEYS)}"
        raise UsageError(f"jsonl mapping: unknown key {key!r}{hint}")

    label = mapping.get("source_label")
    if not isinstance(label, str) or not _LABEL.fullmatch(label):
        raise UsageError(
            "jsonl mapping: 'source_label' is required: a short name for the log "
            "(letters, digits, '_', '.', ':', '-'; up to 64 characters), e.g. source_label: acme_gateway"
        )
    if "time" not in mapping:
        raise UsageError("jsonl mapping: 'time' is required: the JSON path of the timestamp, e.g. time: $.ts")

    options: dict[str, Any] = {"source_label": label}
    options["time"] = _path("time", mapping["time"])
    options["time_format"] = _time_format(mapping.get("time_format"))
    for key in FIELDS:
        options[key] = _field(key, mapping.get(key))
    options["failure_values"] = _failure_values(mapping.get("failure_values"))
    return options


def _field(key: str, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise UsageError(f"jsonl mapping: {key!r} must be a JSON path like '$.field' or a constant text, not {value!r}")
    text = str(value)
    if key in PATH_ONLY or text.startswith("$"):
        return _path(key, text)
    if not text.strip():
        raise UsageError(f"jsonl mapping: {key!r} is empty; leave the key out instead")
    return text


def _path(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.startswith("$"):
        raise UsageError(f"jsonl mapping: {key!r} must be a JSON path starting with '$' (e.g. '$.ts'), not {value!r}")
    if "*" in value or ".." in value:
        raise UsageError(f"jsonl mapping: {key!r}: {value!r} selects several values; give the path of one field")
    import duckdb

    try:
        duckdb.connect().execute("SELECT json_extract_string('{}', $p)", {"p": value})
    except duckdb.Error as exc:
        raise UsageError(f"jsonl mapping: {key!r}: {value!r} is not a JSON path DuckDB reads ({exc})") from exc
    return value


def _time_format(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or "%" not in value:
        raise UsageError(
            f"jsonl mapping: 'time_format' must be a strptime format such as '%d/%b/%Y:%H:%M:%S %z', not {value!r}"
        )
    import duckdb

    try:
        duckdb.connect().execute("SELECT try_strptime('2000-01-01', $f)", {"f": value})
    except duckdb.Error as exc:
        raise UsageError(f"jsonl mapping: 'time_format': {value!r} is not a format DuckDB reads ({exc})") from exc
    return value


def _failure_values(value: Any) -> list[str]:
    if value is None:
        return list(DEFAULT_FAILURE_VALUES)
    if isinstance(value, (str, int, float, bool)):
        value = [value]
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise UsageError(f"jsonl mapping: 'failure_values' must be a list of status values, not {value!r}")
    out = []
    for item in value:
        if isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, (str, int, float)):
            out.append(str(item).strip().lower())
        else:
            raise UsageError(f"jsonl mapping: 'failure_values' holds {item!r}; give texts or numbers")
    return out
