"""Render :class:`~irkit.report.findings.Findings` as one self-contained HTML file.

Log content is attacker-controlled: a user agent, a tool argument or a resource name can hold
``<script>``. Every value therefore goes through Jinja2 with autoescaping on, and the only markup
inserted unescaped is plotly's own output (its figure JSON escapes ``<``, ``>`` and ``/``). As a second
line of defence the page carries a Content-Security-Policy that lets run only the scripts irkit wrote
(by hash) and fetch nothing: no CDN, no web font, no image from the network.

Bidirectional controls (U+202E RIGHT-TO-LEFT OVERRIDE and its kin) are not markup, so escaping leaves
them in, and the browser would apply them: ``invoice-agent\u202etxt.exe`` would display reversed. The
environment's ``finalize`` therefore shows each as a visible ``⟨U+202E⟩`` marker in every value the
template prints, and the figures' data gets the same markers (:func:`figure_html`).

plotly.js is embedded once, with the first figure; the others reuse it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import polars as pl
from markupsafe import Markup

from irkit.display import BIDI_CONTROLS, visible_bidi
from irkit.report.findings import Findings, gather
from irkit.report.summary import manager_summary

if TYPE_CHECKING:
    from irkit.case import Case

_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)
#: Columns whose values are evidence event ids (or lists of them): each is a link to its appendix entry.
EVIDENCE_KEYS = frozenset({"event_uid", "api_event_uid", "first_event_uid", "first_after_event", "created_by_event",
                           "tool_call_uid", "path", "evidence", "human_event_uid", "spawn_event_uid"})
#: Where the appendix goes once the page says which evidence ids it shows.
APPENDIX_MARK = "<!--irkit-appendix-->"
#: The longest raw record the appendix shows (the rest: `irkit sql`, the file and line are given).
RAW_CHARS = 8000
_EV_ATTR = re.compile(r'data-ev="([^"]*)"')
#: Click a table header to sort by it (numbers as numbers); the only script irkit adds besides plotly's.
SORT_SCRIPT = (
    "document.querySelectorAll('table.sortable th').forEach(function(th){th.title='click to sort';"
    "th.addEventListener('click',function(){var t=th.closest('table'),b=t.tBodies[0],i=th.cellIndex,"
    "up=th.getAttribute('data-up')!=='1';var rs=Array.prototype.slice.call(b.rows);rs.sort(function(x,y){"
    "var a=x.cells[i]?x.cells[i].textContent:'',c=y.cells[i]?y.cells[i].textContent:'',n=parseFloat(a),m=parseFloat(c);"
    "var r=(isNaN(n)||isNaN(m))?a.localeCompare(c):n-m;return up?r:-r;});th.setAttribute('data-up',up?'1':'0');"
    "rs.forEach(function(r){b.appendChild(r);});});});")
#: plotly's modebar offers a "download as PNG" that builds a data: URL; nothing else is needed.
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "toImageButtonOptions": {"format": "png", "scale": 2}}


def environment() -> jinja2.Environment:
    """The report's template environment: the package's ``templates`` folder, autoescaping always on."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("irkit.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=shown,
    )
    env.filters["cell"] = cell
    env.filters["when"] = when
    env.filters["anchor"] = anchor
    env.globals["EVIDENCE_KEYS"] = EVIDENCE_KEYS
    env.tests["datetime"] = lambda value: isinstance(value, datetime)
    return env


def shown(value: Any) -> Any:
    """Every printed value, before escaping: bidirectional controls made visible. Markup (irkit's own
    macros and plotly's figures) passes as is; its values went through here or :func:`figure_html`."""
    if isinstance(value, Markup):
        return value
    return visible_bidi(value if isinstance(value, str) else str(value))


#: A bidi control as plotly's JSON writes it (``\u202e``), not preceded by an escaping backslash.
_JSON_BIDI = re.compile(r"(?<!\\)((?:\\\\)*)\\u(" + "|".join(f"{ord(c):04x}" for c in BIDI_CONTROLS) + ")",
                        re.IGNORECASE)


def _figure_bidi(html: str) -> str:
    """Bidi controls in a figure's data (the last script, ``Plotly.newPlot``) as visible markers."""
    start = html.rfind("<script")
    head, data = html[:start], html[start:]
    data = _JSON_BIDI.sub(lambda m: m.group(1) + "\\u27e8U+" + m.group(2).upper() + "\\u27e9", data)
    return head + visible_bidi(data)


def cell(value: Any) -> str:
    """A value as table text: times in UTC to the millisecond, lists joined, nothing as a dash."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, datetime):
        return when(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, (list, tuple)):
        return ", ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={cell(v)}" for k, v in value.items())
    return str(value)


def when(value: datetime | None) -> str:
    if value is None:
        return "—"
    text = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    return text.removesuffix(".000") + "Z"


def anchor(uid: Any) -> str:
    """The appendix anchor of an evidence id (ids hold any characters: a hash names them)."""
    return "ev-" + hashlib.sha256(str(uid).encode("utf-8")).hexdigest()[:20]


def evidence_ids(html: str) -> list[str]:
    """Every evidence id the page links, in first-shown order."""
    import html as htmllib

    return list(dict.fromkeys(htmllib.unescape(m.group(1)) for m in _EV_ATTR.finditer(html)))


def appendix(uids: Sequence[str], records: pl.DataFrame | None) -> str:
    """One entry per evidence id: source, time, file, line, JSON path and the raw record (escaped,
    collapsed, at most RAW_CHARS); an id the lake does not hold says so."""
    from html import escape

    found = {r["event_uid"]: r for r in records.iter_rows(named=True)} if records is not None else {}
    out = []
    for uid in uids:
        r = found.get(uid)
        head = f'<div class="ev-entry" id="{anchor(uid)}"><span class="mono ev-id">{escape(visible_bidi(uid))}</span> '
        if r is None:
            out.append(head + '<span class="missing">not an event in the lake (a node or credential id)</span></div>')
            continue
        raw = r["raw"] or ""
        shown = raw[:RAW_CHARS] + (f"… ({len(raw) - RAW_CHARS} more characters)" if len(raw) > RAW_CHARS else "")
        out.append(
            head + f'<span class="ev-where">{escape(str(r["source"]))} · {when(r["time"])} · '
            f'<span class="mono">{escape(visible_bidi(str(r["evidence_file"])))}</span> line {r["evidence_offset"]}, '
            f'JSON path <span class="mono">{escape(str(r["evidence_path"]))}</span></span>'
            f'<details><summary>raw record</summary><pre class="raw">{escape(visible_bidi(shown))}</pre></details></div>')
    return "\n".join(out)


def rows(frame: pl.DataFrame | None, columns: Sequence[str], limit: int | None = None) -> list[dict[str, Any]]:
    """The named columns of ``frame`` (those it has) as dicts, at most ``limit`` rows."""
    if frame is None or frame.is_empty():
        return []
    present = [c for c in columns if c in frame.columns]
    picked = frame.select(present)
    return (picked.head(limit) if limit else picked).to_dicts()


def figure_html(figures: dict[str, Any]) -> dict[str, Markup]:
    """Each plotly figure as a div, in document order; plotly.js goes into the first one only."""
    out = {}
    for n, (name, fig) in enumerate(figures.items()):
        html = fig.to_html(full_html=False, include_plotlyjs=(n == 0), config=PLOTLY_CONFIG,
                           default_width="100%", div_id=f"figure-{name}")
        out[name] = Markup(_figure_bidi(html))  # plotly's own output; its JSON escapes < > /
    return out


def content_security_policy(scripts: Sequence[str]) -> str:
    """A policy that runs exactly ``scripts`` (by SHA-256) and loads nothing from anywhere."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'" for s in scripts
    )
    return ("default-src 'none'; " f"script-src {hashes}; " "style-src 'unsafe-inline'; "
            "img-src data: blob:; font-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'")


def render(findings: Findings, figures: dict[str, Any] | None = None, command: str | None = None, *,
           root_cause: Any = None, actions: pl.DataFrame | None = None,
           lookup: Callable[[list[str]], pl.DataFrame] | None = None) -> str:
    """The report as HTML text; ``figures`` maps a section (``timeline``, ``blast``) to a plotly figure;
    ``root_cause`` (:class:`irkit.rootcause.RootCause`) and ``actions`` (containment steps) add their
    sections; ``lookup`` finds the records behind the evidence ids for the appendix."""
    env = environment()
    embedded = figure_html(figures or {})
    scripts = [m.group(1) for html in embedded.values() for m in _SCRIPT.finditer(str(html))] + [SORT_SCRIPT]
    template = env.get_template("report.html.j2")
    html = template.render(
        f=findings,
        summary=manager_summary(findings),
        figures=embedded,
        csp=content_security_policy(scripts),
        rows=rows,
        command=command,
        rc=root_cause,
        actions=rows(actions, list(actions.columns)) if actions is not None else [],
        appendix_mark=Markup(APPENDIX_MARK),
        sort_script=Markup(SORT_SCRIPT),
    )
    uids = evidence_ids(html)
    records = lookup(uids) if lookup is not None and uids else None
    return html.replace(APPENDIX_MARK, appendix(uids, records), 1)


def write(html: str, out: str | Path) -> Path:
    """Write the report atomically (a reader never sees half a file)."""
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
    return path


def production_reached(triggers: pl.DataFrame | None) -> set[str]:
    """What the new-production-data trigger named: the ends of the blast radius's critical paths."""
    if triggers is None or triggers.is_empty():
        return set()
    return set(triggers.filter(pl.col("kind") == "new_production_data")["subject"].drop_nulls().to_list())


def figures_for(f: Findings) -> dict[str, Any]:
    """The report's figures, in document order (plotly.js travels with the first)."""
    from irkit import figures

    return {
        "timeline": figures.timeline(f.timeline, f.triggers, f.incident,
                                     title=f"Activity of {f.suspect} and what it reached"),
        "sessions": figures.session_overview(f.sessions, f.triggers, f.incident,
                                             title=f"Sessions of {f.suspect} and what it reached"),
        "blast": figures.blast_radius_graph(f.blast, title=f"Blast radius of {f.suspect}",
                                            critical=production_reached(f.triggers)),
    }


def build(
    case: Case,
    suspect: str | None,
    out: str | Path,
    *,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    detected_at: str | datetime | None = None,
    revocations: Sequence[Any] = (),
    command: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Gather the findings, draw the figures and write the report to ``out``."""
    findings = gather(case, suspect, since=since, until=until, detected_at=detected_at,
                      revocations=revocations, progress=progress)
    return write(report_html(case, findings, command, progress), out)


def report_html(case: Case, findings: Findings, command: str | None = None,
                progress: Callable[[str], None] | None = None) -> str:
    """The report of gathered findings: adds the root cause, the containment steps and the appendix's
    records from the case, draws the figures and renders the page."""
    from irkit.containment import containment_actions
    from irkit.db import frame
    from irkit.sql import query

    if progress:
        progress("root cause and containment steps")
    root_cause = case.root_cause(findings.suspect, since=findings.since, until=findings.until)
    actions = containment_actions(case.con, case.inventory, findings.checklist)
    if progress:
        progress("figures and HTML")

    def lookup(uids: list[str]) -> pl.DataFrame:
        return frame(case.con, query("report_evidence"), {"uids": uids})

    return render(findings, figures_for(findings), command, root_cause=root_cause, actions=actions, lookup=lookup)
