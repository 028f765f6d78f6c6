"""The injection's provenance: which content turned the agent, where it came from, and the chain from it
to the API calls.

The compromise point is the suspect's first out-of-scope action (its first tool call outside declared
or observed scope). The content that steered it is one of the tool results its agents read before
that point: the one that names most of what the agent then did out of scope (the tools, servers,
principals and resources of its later out-of-scope actions), the most recent on a tie, else the last
one read ("time only"). Tool results are the normalized ``tool_result`` resource of an MCP response;
nothing here reads ``raw``.

Each link says how it is known: ``trace context`` (the two calls carry one trace id), ``same session``
(one MCP session or conversation), ``time only`` (nothing but order in time).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import duckdb
import polars as pl

from irkit.db import frame
from irkit.display import terminal_text, visible_bidi
from irkit.sql import query

#: The longest excerpt shown of the content that carried the instruction.
EXCERPT_CHARS = 600
#: Path words that name kinds of things, not a thing: never evidence that a text named a resource.
_GENERIC = {"namespaces", "secrets", "projects", "serviceaccounts", "subscriptions", "resourcegroups", "providers",
            "locations", "buckets", "objects", "exports", "users", "groups", "roles", "applications", "service",
            "storage", "blobservices", "containers", "default", "microsoft", "assumed-role", "configmaps",
            "vaults", "repos", "https", "github.com", "amazonaws.com"}
_ORIGIN_KEYS = ("uri", "url", "path", "file", "document", "document_uri", "repo", "repository", "number", "issue",
                "site", "id", "name", "key", "object", "bucket", "query")

Link = str  # 'trace context' | 'same session' | 'time only'
#: How far before the window a read may lie (the content arrives before the compromise it causes); only
#: reads linked to the first out-of-scope call by trace or session are taken from before the window.
LOOKBACK = timedelta(hours=24)


@dataclass(frozen=True)
class Provenance:
    """The content read before the compromise point and the chain from it (see the module docstring)."""

    call_uid: str                 # the tools/call request that fetched the content
    response_uid: str             # the response that carried it
    time: datetime                # when the content reached the agent (the response)
    agent: str | None
    server: str | None
    tool: str | None
    arguments: str | None
    origin: str                   # where the content came from, in words
    origin_resources: list[str]   # what the API calls made for that tool call read (object, item)
    excerpt: str                  # escaped for a terminal, bidi controls visible, at most EXCERPT_CHARS
    truncated: bool
    matched: list[str]            # the later actions' names the content carries
    link: Link                    # content -> first out-of-scope action
    compromise_uid: str           # the first out-of-scope action
    compromise_time: datetime
    compromise_tool: str | None
    evidence_file: str | None
    evidence_offset: int | None
    chain: pl.DataFrame = field(repr=False)  # step, time, kind, what, resource, event_uid, link

    @property
    def evidence(self) -> list[str]:
        return [self.response_uid, self.call_uid, self.compromise_uid]

    def summary(self) -> str:
        why = (f"it names {', '.join(self.matched[:6])}, which the agent then used out of scope" if self.matched
               else "the last content read before it (nothing in it names what followed)")
        return (f"{self.tool} on {self.server} returned content at {self.time:%Y-%m-%d %H:%M:%S} UTC ({self.origin}); "
                f"{self.link} link to the first out-of-scope action ({self.compromise_tool} at "
                f"{self.compromise_time:%H:%M:%S}); {why}.")


def terms_of(values: list[str | None]) -> list[str]:
    """The names a later action carries that a text may spell out: tool and server names whole, path
    parts of resources that are specific (not kinds of things), in first-seen order."""
    out: list[str] = []
    for value in values:
        if not value:
            continue
        parts = [value] if "/" not in value and ":" not in value else re.split(r"[/:@ ]+", value)
        for part in parts:
            part = part.strip().strip(".,;\"'")
            low = part.lower()
            if len(part) >= 5 and low not in _GENERIC and not low.isdigit() and low not in (t.lower() for t in out):
                out.append(part)
    return out


def _score(text: str, terms: list[str]) -> list[str]:
    low = text.lower()
    return [t for t in terms if t.lower() in low]


def excerpt(text: str, matched: list[str], limit: int = EXCERPT_CHARS) -> tuple[str, bool]:
    """At most ``limit`` characters of ``text`` around its first matched term, starting at the sentence
    or comment that holds it; escaped for a terminal (HTML escaping is the renderer's), bidi visible."""
    low = text.lower()
    hits = [low.find(t.lower()) for t in matched if low.find(t.lower()) >= 0]
    first = min(hits) if hits else 0
    start = first
    if hits:
        floor = max(0, first - limit // 2)
        strong = [i for i in (text.find(m, floor, first) for m in ("<!--", "\n\n", "[")) if i >= 0]
        weak = [i for i in (text.rfind(m, floor, first) for m in ("\n", ". ")) if i >= 0]
        start = min(strong) if strong else (max(weak) + 1 if weak else floor)
    piece = text[start:start + limit]
    truncated = start > 0 or start + limit < len(text)
    shown = visible_bidi(terminal_text(piece.strip(), keep_newlines=True))
    if len(shown) > limit:  # escapes lengthen the text: the bound holds for what is shown
        shown, truncated = shown[:limit], True
        return ("… " if start > 0 else "") + shown + " …", truncated
    return (("… " if start > 0 else "") + shown + (" …" if start + limit < len(text) else "")), truncated


def origin_of(server: str | None, tool: str | None, arguments: str | None) -> str:
    """Where a tool's content came from, from the arguments it was given (the normalized JSON text)."""
    try:
        args = json.loads(arguments) if arguments else {}
    except ValueError:
        args = {}
    named = [f"{k}={args[k]}" for k in _ORIGIN_KEYS if isinstance(args, dict) and k in args
             and isinstance(args[k], (str, int)) and str(args[k])]
    where = ", ".join(named) if named else (arguments or "no arguments")
    return f"{(server or 'tool server').split(':', 1)[-1]}/{tool}({where})"


def _link(a: dict[str, Any], b: dict[str, Any]) -> Link:
    if a.get("trace_uid") and a.get("trace_uid") == b.get("trace_uid"):
        return "trace context"
    if a.get("session_uid") and a.get("session_uid") == b.get("session_uid"):
        return "same session"
    return "time only"


def provenance(con: duckdb.DuckDBPyConnection, agents: list[str], since: datetime, until: datetime | None,
               compromise: dict[str, Any], later_terms: list[str], attribution: pl.DataFrame) -> Provenance | None:
    """The injection's provenance (module docstring). ``compromise``: the first out-of-scope tool call
    (call_uid, time, tool_name, trace_uid, session_uid); ``later_terms``: what the out-of-scope actions
    named; ``attribution``: the suspect's attributed API calls (:func:`irkit.attribution.attribute`)."""
    reads = frame(con, query("rootcause_reads"), {"agents": agents, "since": since - LOOKBACK, "at": compromise["time"]})
    linked = reads.filter([_link(r, compromise) != "time only" for r in reads.iter_rows(named=True)])
    reads = linked if not linked.is_empty() else reads.filter(pl.col("end_time") >= since)
    if reads.is_empty():
        return None
    best: tuple[int, int] | None = None
    chosen: dict[str, Any] = {}
    matched: list[str] = []
    for i, row in enumerate(reads.iter_rows(named=True)):
        own = set(terms_of([row["tool_name"], row["server"]]))
        hits = [t for t in _score(row["result"] or "", later_terms) if t not in own]
        key = (len(hits), i)
        if best is None or key > best:
            best, chosen, matched = key, row, hits
    text, truncated = excerpt(chosen["result"] or "", matched)
    mine = attribution.filter(pl.col("mcp_call_uid") == chosen["call_uid"]) if "mcp_call_uid" in attribution.columns \
        else attribution.clear()
    objects = sorted({r for r in mine["resource"].to_list() if r}) if not mine.is_empty() else []
    chain = _chain(con, agents, chosen, compromise, until, attribution)
    return Provenance(
        call_uid=chosen["call_uid"], response_uid=chosen["response_uid"], time=chosen["end_time"],
        agent=chosen["agent"], server=chosen["server"], tool=chosen["tool_name"], arguments=chosen["arguments"],
        origin=origin_of(chosen["server"], chosen["tool_name"], chosen["arguments"]), origin_resources=objects,
        excerpt=text, truncated=truncated, matched=matched, link=_link(chosen, compromise),
        compromise_uid=compromise["call_uid"], compromise_time=compromise["time"],
        compromise_tool=compromise.get("tool_name"), evidence_file=chosen["evidence_file"],
        evidence_offset=chosen["evidence_offset"], chain=chain)


CHAIN_SCHEMA = {"step": pl.Int64, "time": pl.Datetime("us", "UTC"), "kind": pl.String, "agent": pl.String,
                "what": pl.String, "resource": pl.String, "event_uid": pl.String, "link": pl.String}


def _chain(con: duckdb.DuckDBPyConnection, agents: list[str], source: dict[str, Any], compromise: dict[str, Any],
           until: datetime | None, attribution: pl.DataFrame) -> pl.DataFrame:
    """The content, then each later tool call of the agents (linked to the content by trace, session or
    time), each followed by the API calls attributed to it (linked as attribution paired them)."""
    calls = frame(con, query("rootcause_tool_calls"), {"agents": agents, "since": source["end_time"], "until": until})
    by_call: dict[str, list[dict[str, Any]]] = {}
    if not attribution.is_empty():
        for r in attribution.filter(pl.col("mcp_call_uid").is_not_null()).iter_rows(named=True):
            by_call.setdefault(r["mcp_call_uid"], []).append(r)
    rows: list[dict[str, Any]] = [{"time": source["end_time"], "kind": "content", "agent": source["agent"],
                                   "what": f"{source['tool_name']} result", "resource": source["server"],
                                   "event_uid": source["response_uid"], "link": None}]
    for call in calls.iter_rows(named=True):
        if call["call_uid"] == source["call_uid"]:
            continue
        rows.append({"time": call["time"], "kind": "tool call", "agent": call["agent"],
                     "what": f"{call['tool_name']} {call['arguments'] or ''}".strip()[:300], "resource": call["server"],
                     "event_uid": call["call_uid"], "link": _link(source, call)})
        for api in sorted(by_call.get(call["call_uid"], []), key=lambda r: r["api_time"]):
            rows.append({"time": api["api_time"], "kind": "api call", "agent": api["acting_identity"],
                         "what": api["operation"], "resource": api["resource"], "event_uid": api["api_event_uid"],
                         "link": api["paired_by"] or api["attribution"]})
    out = pl.DataFrame(rows, schema={k: v for k, v in CHAIN_SCHEMA.items() if k != "step"})
    return out.with_row_index("step", offset=1).with_columns(pl.col("step").cast(pl.Int64)).select(list(CHAIN_SCHEMA))
