"""Loaders: one module per log source, each the same shape.

A loader module defines

* ``NAME``, ``VERSION``, ``DESCRIPTION``: who it is, for the manifest and ``irkit sources``;
* ``sniff(records) -> bool``: whether the first parsed records of a file are its format (content,
  never file names);
* optionally ``sniff_lines(lines) -> bool``: for a text log whose lines are not JSON, whether the first
  lines of a file are its format. Asked only when no loader recognises the file's JSON records; the
  query then receives each line as a record whose ``raw`` is the line's text;
* a file ``<module>.sql`` beside it: one DuckDB query over the relation
  ``records(file_id, evidence_offset, evidence_path, raw)`` that returns, for every record, the columns of
  :data:`irkit.schema.LOADER_COLUMNS` plus ``file_id, evidence_offset, evidence_path, raw, source`` and
  ``quarantine_reason`` (NULL when the row is good). A loader may return several rows for one record
  (OpenTelemetry documents hold many spans) if each keeps the record's ``evidence_path`` as a prefix;
* optionally ``TABLES``: ``{relation name: file name}`` of tab-separated data files beside it (vendor
  knowledge kept as data, not code: CloudTrail's targets per API call), registered as relations its
  query reads, each row numbered in a ``rank`` column (its order in the file); ``#`` lines are comments;
* optionally ``ROUTES``: loader names its query may hand a record to, by returning the reason
  ``route:<loader>`` (a file mixing formats: a Kubernetes audit record in an Azure Monitor export).

A new source is one module, one ``.sql`` file, one line in :data:`REGISTRY`, a sample and a test.
Modules are imported only when used, so ``import irkit`` stays fast.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from irkit.errors import UsageError

#: name -> module, in detection order (the first loader whose sniff accepts a file reads it).
#: ``jsonl`` is never chosen by detection: it needs a mapping, so it is named explicitly.
REGISTRY: dict[str, str] = {
    "cloudtrail": "irkit.loaders.cloudtrail",
    "bedrock_invocation": "irkit.loaders.bedrock_invocation",
    "okta": "irkit.loaders.okta",
    "entra": "irkit.loaders.entra",
    "graph_activity": "irkit.loaders.graph_activity",
    "gcp_audit": "irkit.loaders.gcp_audit",
    "workspace_reports": "irkit.loaders.workspace_reports",
    "github_audit": "irkit.loaders.github_audit",
    "k8s_audit": "irkit.loaders.k8s_audit",
    "mcp": "irkit.loaders.mcp",
    "toolhive_audit": "irkit.loaders.toolhive_audit",
    "agentgateway": "irkit.loaders.agentgateway",
    "litellm": "irkit.loaders.litellm",
    "claude_desktop_mcp": "irkit.loaders.claude_desktop_mcp",
    "otel_genai": "irkit.loaders.otel_genai",
    "jsonl": "irkit.loaders.jsonl",
}

#: Marker reason loaders give for a record that is not valid JSON; ingest adds the parser's message.
INVALID_JSON = "not valid JSON"


@dataclass(frozen=True)
class Loader:
    name: str
    version: str
    description: str
    sniff: Callable[[Sequence[object]], bool]
    sql: str
    detectable: bool = True
    #: relation name -> Arrow table (pyarrow.Table) of the loader's data files
    tables: tuple[tuple[str, Any], ...] = ()
    #: loaders this one's query may hand a record to (``route:<name>``)
    routes: tuple[str, ...] = ()
    #: recognises a text log from its first lines (``sniff_lines``), for formats that are not JSON
    sniff_lines: Callable[[Sequence[str]], bool] | None = None


@cache
def get(name: str) -> Loader:
    """The loader called ``name``."""
    if name not in REGISTRY:
        raise UsageError(f"no loader called {name!r}; known: {', '.join(REGISTRY)}")
    module = importlib.import_module(REGISTRY[name])
    sql_name = REGISTRY[name].rsplit(".", 1)[1] + ".sql"
    return Loader(
        name=module.NAME,
        version=module.VERSION,
        description=module.DESCRIPTION,
        sniff=module.sniff,
        sql=files(__name__).joinpath(sql_name).read_text(encoding="utf-8"),
        detectable=getattr(module, "DETECTABLE", True),
        tables=tuple((relation, _data_table(file)) for relation, file in getattr(module, "TABLES", {}).items()),
        routes=tuple(getattr(module, "ROUTES", ())),
        sniff_lines=getattr(module, "sniff_lines", None),
    )


#: Prefix of the reason a loader's query gives a record that another loader reads (see ``ROUTES``).
ROUTE = "route:"


def _data_table(file_name: str) -> Any:
    """A tab-separated data file beside the loaders as an Arrow table of strings (empty cells null),
    with its row order as ``rank``."""
    import pyarrow as pa

    lines = [line.rstrip("\n") for line in files(__name__).joinpath(file_name).read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line.strip() and not line.startswith("#")]
    header = lines[0].split("\t")
    rows = [line.split("\t") for line in lines[1:]]
    bad = [i for i, row in enumerate(rows) if len(row) > len(header)]
    if bad:
        raise ValueError(f"{file_name}: rows with more cells than the header: {bad[:5]}")
    columns: dict[str, Any] = {"rank": pa.array(range(len(rows)), pa.int64())}
    for index, name in enumerate(header):
        columns[name] = pa.array([(row[index] if index < len(row) else "") or None for row in rows], pa.string())
    return pa.table(columns)


def available() -> list[Loader]:
    """Every loader whose module is present, in registry order."""
    out = []
    for name in REGISTRY:
        try:
            out.append(get(name))
        except ModuleNotFoundError:
            continue
    return out


def detect(records: Sequence[object]) -> Loader | None:
    """The first detectable loader that recognises these records, or None."""
    dicts = [r for r in records if isinstance(r, dict)]
    if not dicts:
        return None
    for loader in available():
        if loader.detectable and loader.sniff(dicts):
            return loader
    return None


def detect_lines(lines: Sequence[str]) -> Loader | None:
    """The first detectable loader that recognises these text lines (``sniff_lines``), or None."""
    if not lines:
        return None
    for loader in available():
        if loader.detectable and loader.sniff_lines is not None and loader.sniff_lines(lines):
            return loader
    return None


#: Formats irkit does not read that look like ones it does: (test on a record, what it likely is).
#: Each text is constant (never a value from the log): it is the quarantine reason's tail.
_AWS_EVENT_SOURCES = {
    "aws:s3": "Amazon S3 event notifications",
    "aws:codecommit": "AWS CodeCommit trigger events",
    "aws:sqs": "SQS messages as Lambda receives them",
    "aws:sns": "SNS notifications as Lambda receives them",
    "aws:dynamodb": "DynamoDB Streams records",
    "aws:kinesis": "Kinesis Data Streams records",
    "aws:ses": "SES receipt notifications",
}


def likely_format(records: Sequence[object]) -> str | None:
    """What records no loader accepts most likely are, when they look like a format irkit reads (so the
    quarantine can say why they are not it), else None."""
    for record in records:
        if not isinstance(record, dict):
            continue
        source = record.get("eventSource", record.get("EventSource"))
        if isinstance(source, str) and source.startswith("aws:"):
            what = _AWS_EVENT_SOURCES.get(source, "AWS event-source records as Lambda receives them")
            return f"these look like {what} (eventSource aws:<service>), not CloudTrail (<service>.amazonaws.com)"
        if "detail-type" in record and str(record.get("source", "")).startswith("aws."):
            return ("these look like EventBridge events that carry no CloudTrail record (detail-type other than "
                    "'... via CloudTrail')")
        if "resourceLogs" in record or "resourceMetrics" in record:
            return "these look like OpenTelemetry logs or metrics (OTLP resourceLogs / resourceMetrics), not spans"
    return None
