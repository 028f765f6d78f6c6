"""OpenTelemetry GenAI spans in OTLP/JSON, as the Collector's file exporter writes them: one
``ExportTraceServiceRequest`` (``{"resourceSpans":[...]}``) per line, one line per conversation,
one file per UTC day (``otel/traces-YYYYMMDD.json``). Ids are lower-case hex, 64-bit integers are
strings, ``kind`` is an integer (1 internal, 3 client), attributes follow the GenAI semantic
conventions (``gen_ai.*``) plus ``mcp.*`` on tool spans.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._util import date_parts

JsonObj = dict[str, Any]

SCHEMA_URL = "https://opentelemetry.io/schemas/1.37.0"
SCOPE = {"name": "opentelemetry.instrumentation.genai", "version": "0.48b0"}
INTERNAL, CLIENT = 1, 3


def attr(key: str, value: str | int | bool | list[str]) -> JsonObj:
    if isinstance(value, bool):
        return {"key": key, "value": {"boolValue": value}}
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}
    if isinstance(value, list):
        return {"key": key, "value": {"arrayValue": {"values": [{"stringValue": v} for v in value]}}}
    return {"key": key, "value": {"stringValue": value}}


def span(trace_id: str, span_id: str, parent: str | None, name: str, kind: int, start_ns: int, end_ns: int,
         attrs: dict[str, str | int | bool | list[str]], error: str | None = None) -> JsonObj:
    s: JsonObj = {"traceId": trace_id, "spanId": span_id}
    if parent:
        s["parentSpanId"] = parent
    s.update(name=name, kind=kind, startTimeUnixNano=str(start_ns), endTimeUnixNano=str(end_ns),
             attributes=[attr(k, v) for k, v in attrs.items()],
             status={"code": 2, "message": error} if error else {})
    return s


def batch(service: str, version: str, resource: dict[str, str], spans: list[JsonObj]) -> JsonObj:
    attrs = [attr("service.name", service), attr("service.version", version)]
    attrs += [attr(k, v) for k, v in resource.items()]
    return {"resourceSpans": [{"resource": {"attributes": attrs},
                               "scopeSpans": [{"scope": SCOPE, "spans": spans}], "schemaUrl": SCHEMA_URL}]}


class OtelWriter:
    """One file per UTC day; a batch is filed under the day its conversation started."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self._day: str | None = None
        self._f: Any = None
        self._files: list[Path] = []
        self.spans = 0

    def write_batch(self, items: list[tuple[int, int, bytes]]) -> None:
        for ns, _, line in items:
            day = "".join(date_parts(ns))
            if day != self._day:
                if self._f:
                    self._f.close()
                path = self.root / f"traces-{day}.json"
                self._f = open(path, "wb")  # noqa: SIM115 - closed on day change / close()
                self._files.append(path)
                self._day = day
            self._f.write(line + b"\n")
            self.spans += line.count(b'"spanId"')

    def close(self) -> None:
        if self._f:
            self._f.close()

    @property
    def files(self) -> list[Path]:
        return self._files
