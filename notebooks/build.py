"""Write the three playbook notebooks (without outputs) from the cells below: ``python notebooks/build.py``.

The notebooks are generated so that their JSON stays reviewable and identical between runs; edit the
cells here, not in Jupyter. Each starts with a cell tagged ``parameters`` (papermill) defaulting to the
sample incident, with paths relative to this folder (nbval runs a notebook from its own folder). Given
``case_dir`` of an existing case (the one ``irkit investigate`` made), a notebook opens it as it is and
writes its outputs beside it; without one it ingests into a temporary case and writes its outputs to
``~/irkit-output/<suspect>/``, never into the repository. Figures render in Jupyter and in
``jupyter nbconvert --to html --execute`` alike (plotly's mimetype plus its HTML).

    pytest --nbval-lax notebooks/          # run all three top to bottom
    papermill 03_root_cause_48-72h.ipynb out.ipynb -p case_dir cases/x -p suspect my-agent   # irkit[notebooks]
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "sample_data" / "invoice-agent-incident"
NATIVE = ("aws", "okta", "github", "k8s", "mcp", "otel", "entra", "gcp")


def sample_evidence() -> list[str]:
    """The sample's native log folders, relative to the notebooks (``evidence/`` once the sample has one)."""
    if (SAMPLE / "evidence").is_dir():
        return ["../sample_data/invoice-agent-incident/evidence"]
    return [f"../sample_data/invoice-agent-incident/{name}" for name in NATIVE if (SAMPLE / name).is_dir()]


def parameters(extra: str = "") -> str:
    return f'''# Parameters (papermill). Defaults: the sample incident; paths are relative to this notebook.
case_dir = None  # an existing case (irkit investigate --case ...) is opened as is; None: a temporary case
out_dir = None  # where outputs go; None: beside case_dir when given, else ~/irkit-output/<suspect>
evidence = {sample_evidence()!r}
inventory = "../sample_data/invoice-agent-incident/inventory.yaml"
incident = "../sample_data/invoice-agent-incident/incident.yaml"
suspect = "invoice-agent"
detected_at = None  # ISO-8601; None: the incident file's
revoked_at = []  # extra revocations, "TARGET=TIME" or "TIME" (everything of the suspect)
since = None  # start of the incident window; None: the suspect's burst of activity before detection
{extra}'''.rstrip() + "\n"


SETUP = '''import tempfile
from pathlib import Path

import plotly.io as pio
import polars as pl

import irkit
from irkit import figures
from irkit.attribution import chain

pio.renderers.default = "plotly_mimetype+notebook"  # JupyterLab's renderer, and HTML that nbconvert keeps
pl.Config.set_tbl_rows(25)
pl.Config.set_fmt_str_lengths(48)
pl.Config.set_tbl_width_chars(160)
pl.Config.set_tbl_cell_alignment("LEFT")
pl.Config.set_tbl_hide_column_data_types(True)
try:  # polars draws its HTML tables right-aligned: left-aligned text reads better
    get_ipython().display_formatter.formatters["text/html"].for_type(  # type: ignore[name-defined]
        pl.DataFrame, lambda df: df._repr_html_().replace("text-align: right", "text-align: left"))
except NameError:  # not under IPython
    pass

existing = case_dir is not None and (Path(case_dir) / "case.json").is_file()
if case_dir is None:
    _scratch = tempfile.TemporaryDirectory(prefix="irkit-case-")
    case_dir = f"{_scratch.name}/case"
case = irkit.open_case(case_dir)
if existing:  # the case irkit investigate made: its evidence, inventory and incident as they are
    print(f"opened {case_dir}: {case.sql('SELECT count(*) AS n FROM events')['n'][0]} events")
else:
    print(case.ingest(evidence, progress=False))
if inventory and not (existing and case.settings.get("inventory")):
    case.use_inventory(inventory)
if incident and not (existing and case.settings.get("incident")):
    case.use_incident(incident)
out = Path(out_dir) if out_dir else (Path(case_dir).resolve().parent if existing else Path.home() / "irkit-output" / suspect)
out.mkdir(parents=True, exist_ok=True)
print(f"outputs go to {out}")'''

WINDOW = '''# the one investigation scope every cell below (and the CLI, and the report) computes over (docs/incident.md)
scope = case.scope(suspect, since=since, detected_at=detected_at, revocations=revoked_at)
suspect, since = scope.suspect, scope.since
print(scope.describe())'''


def md(text: str) -> nbformat.NotebookNode:
    return new_markdown_cell(text.strip())


def code(text: str) -> nbformat.NotebookNode:
    return new_code_cell(text.strip())


def contain() -> list[nbformat.NotebookNode]:
    return [
        md("""
# Hours 0–24: contain

An alert says an agent is acting strangely. In the first day the responder decides three things, in this
order: **what to cut off now** (which sessions and credentials), **who must act** (the owners and the
revocation path of every identity involved), and **that the evidence is safe** (hashed, never modified).
Every step below is one library call; change the parameters to run it on another incident.
"""),
        _tagged(parameters()),
        md("""
## 1. Load the evidence, and account for every record

Ingest never modifies the evidence: it hashes each file and loads its records into the case's lake.
The accounting must balance (`read = loaded + quarantined + duplicates`): a record that cannot be read is
quarantined with its reason, never dropped. **Decide:** is anything quarantined that the investigation needs?
"""),
        code(SETUP),
        code(WINDOW),
        md("""
## 2. Who is the suspect?

The identity card joins the inventory (owners, revocation path, declared scope) with what the logs prove:
every alias it acted under, every credential it used, the delegation tree above it (who started it) and
below it (sub-agents, assumed roles). **Decide:** whom to call, and which revocation path to start.
"""),
        code("case.identity(suspect)"),
        md("""
## 3. Which sessions were active around detection?

Native sessions first (a role session's temporary key, an MCP session, a GenAI conversation), then
inactivity gaps. Sessions outlined in red hold the evidence of a trigger. **Decide:** which sessions to
terminate now.
"""),
        code('''sessions = case.sessions(suspect, since=since, reach=True)
sessions.select("session_id", "session_kind", "identity_id", "sources", "start", "end", "events", "failures", "tools")'''),
        code('''triggers = case.triggers(suspect, since=since, revocations=revoked_at)
figures.session_overview(sessions, triggers, case.incident, title=f"Sessions of {suspect} and what it reached")'''),
        md("""
## 4. Which containment triggers fired?

Each rule compares the window with the identity's own baseline (the 30 days before): production data it
never touched, tools outside its declared scope, a burst of downstream reach, privilege changes, identities
without owners, and anything still acting after its revocation. **Decide:** every `critical` and `high`
row is a reason to contain; the evidence ids are what you quote in the ticket.
"""),
        code('''triggers.select("time", "severity", "kind", "identity", "subject", "reason", "evidence_count")'''),
        code('''figures.timeline(case.timeline(suspect, since=since), triggers, case.incident,
                 title=f"Activity of {suspect} and what it reached, with triggers")'''),
        md("""
## 5. The revocation checklist

Every credential and identity the suspect used or created in the window, with its revocation path, whether
it was revoked and whether it went quiet afterwards. Credentials it *created* count as its own: a key minted
for another user survives the suspect's own revocation. **Decide:** everything not `quiet` is still open.
"""),
        code('''checklist = case.revocation_checklist(suspect, since=since, revocations=revoked_at)
checklist.select("status", "item", "kind", "identity", "via", "revocation_path", "revoked_at", "uses_after", "last_after")'''),
        code('''case.revocations(revocations=revoked_at).select("target", "at", "action", "confirmed", "operation", "by_actor", "event_uid")'''),
        md("""
## 6. Preserve the evidence

The manifest holds every evidence file's SHA-256 and its loss accounting; `verify` re-hashes the evidence
and the lake against it. **Decide:** hand the case folder and this manifest to whoever keeps the chain of custody.
"""),
        code('''case.manifest.select("file", "sha256", "source", "read", "loaded", "quarantined", "duplicates")'''),
        code('''case.verify()'''),
    ]


def scope() -> list[nbformat.NotebookNode]:
    return [
        md("""
# Hours 24–48: scope

Containment is done; now the question is **how far it went**. The responder explains every cloud call the
agent made by the tool call that caused it, maps everything it reached (in time order: a hop counts only
after the suspect got there), looks at what its sub-agents did, and reads the whole story across sources.
"""),
        _tagged(parameters()),
        code(SETUP),
        code(WINDOW),
        md("""
## 1. How did authority flow into the incident?

Human → agent → sub-agent → the principal its tool call ran as → the role it assumed, each hop with the event
that proves it. The chain is read at the first sign of trouble (the first trigger). **Decide:** which human
session and which delegation must be reviewed.
"""),
        code('''first_sign = case.triggers(suspect, since=since, revocations=revoked_at)["time"].min()
pl.DataFrame(case.delegation_chain(suspect, since=first_sign))'''),
        md("""
## 2. Which tool call caused each API call?

Every API call made with the agent's credentials (or those of what it reached), paired with the preceding
tool call within 5 s. `ambiguous` rows list every candidate instead of guessing. **Decide:** which calls were
the agent's intent and which tools must be withdrawn.
"""),
        code('''calls = case.attribute(suspect).filter(pl.col("api_time") >= since)
calls.select("api_time", "api_source", "operation", "resource", "tool_name", "agent", "parent_agent", "human", "attribution")'''),
        code('''# One call, hop by hop: the role assumption that gave the sub-agent ops-admin.
assume = calls.filter(pl.col("operation").str.starts_with("AssumeRole") & pl.col("tool_name").is_not_null()).row(0, named=True)
pl.DataFrame(chain(assume))'''),
        md("""
## 3. The blast radius

Identities, credentials, resources and systems reached, each with its first touch, hop count and the path
of evidence events from the suspect; grey nodes are what the inventory says it *may* reach. **Decide:**
which owners to notify and which data to treat as exposed.
"""),
        code('''radius = case.blast_radius(suspect, since=since)
figures.blast_radius_graph(radius, title=f"Blast radius of {suspect}")'''),
        code('''reach_columns = ["uid", "type", "system", "first_touch", "hops", "via", "path"]
radius.identities.select(reach_columns)'''),
        code('''radius.credentials.select(reach_columns)'''),
        code('''radius.resources.select(reach_columns)'''),
        code('''radius.systems.select("uid", "first_touch", "hops", "via", "event_uid")'''),
        md("""
## 4. What did the sub-agents do?

A spawned sub-agent acts with the parent's authority but may not be in any inventory. **Decide:** whether
each sub-agent's actions stay inside what its parent was allowed to do.
"""),
        code('''sub_agents = sorted({hop.dst for hop in case.identity(suspect).downstream if hop.kind == "spawn_agent"})
sub_agents or "no sub-agent was spawned"'''),
        code('''pl.concat([case.sessions(agent, since=since) for agent in sub_agents], how="diagonal_relaxed").select(
    "session_id", "identity_id", "sources", "start", "end", "events", "failures", "tools", "systems"
) if sub_agents else "no sub-agent sessions"'''),
        code('''timeline = case.timeline(suspect, since=since)
timeline.filter(pl.col("via") == "sub-agent").select(
    "time", "source", "identity_id", "operation", "status", "tool_name", "target_uid", "target_system")'''),
        md("""
## 5. The cross-source timeline

Every event of the suspect and of everything it reached, in time order, one lane per native session.
**Decide:** whether the story is complete: a gap in a lane is a log source to ask for.
"""),
        code('''figures.timeline(timeline, None, case.incident, lanes="session", title=f"{suspect}: events per native session")'''),
        code('''timeline.select("time", "source", "identity_id", "operation", "status", "tool_name", "target_uid", "target_system")'''),
    ]


def root_cause() -> list[nbformat.NotebookNode]:
    return [
        md("""
# Hours 48–72: root cause

By the third day the responder must say **why** it happened, from three candidates: over-privilege (it was
granted more than it needed), unsafe tool use (it called tools outside its scope), or a mis-scoped deployment
(identities nobody owns, credentials shared between identities). And prove that everything it could still use
was revoked and went quiet. The report at the end is what goes to management.
"""),
        _tagged(parameters('report_out = None  # None: report.html in the output folder\n')),
        code(SETUP),
        code(WINDOW),
        md("""
## 1. The verdicts, and the content that turned the agent

Each category is *supported*, *not supported* (the records are there and show nothing of it) or *no evidence
available* (no such records), with the events behind it. Then the injection's provenance: the content read
just before the first out-of-scope action, where it came from, and the chain from it to each API call, every
link with its strength (trace context, same session, time only). **Decide:** which of the three to fix first.
"""),
        code('''rc = case.root_cause(suspect, since=since)
rc'''),
        code('''rc.provenance.chain.select("step", "time", "kind", "agent", "what", "resource", "link") if rc.provenance else "no injection found"'''),
        md("""
## 2. Over-privilege: granted versus used

The inventory's declared scope against what was used in the window. `USED, NOT GRANTED` is unsafe use or a
missing declaration; `granted, unused` is privilege to take away. **Decide:** which grants to remove.
"""),
        code('''case.over_privilege(suspect, since=since).select("identity", "dimension", "item", "status", "grant", "events", "first_used", "last_used")'''),
        md("""
## 3. Unsafe tool use: tools outside scope, with their arguments

The `tool_expansion` triggers name the tools; the `tool_calls` view (MCP requests paired with responses)
shows what the agent asked each of them to do. **Decide:** whether the instructions came from the user or
from content the agent read (prompt injection).
"""),
        code('''triggers = case.triggers(suspect, since=since, revocations=revoked_at)
unsafe = triggers.filter(pl.col("kind") == "tool_expansion")
unsafe.select("time", "identity", "acted_as", "subject", "reason")'''),
        code('''case.tool_calls(tools=unsafe["subject"].unique().to_list(), since=since).select(
    "time", "identity", "server", "tool_name", "arguments", "status")'''),
        md("""
## 4. Mis-scoped deployment: ownership gaps and shared credentials

An identity acting without a business owner, technical owner or revocation path cannot be contained by
anyone; a credential used by several identities cannot be revoked without collateral damage. **Decide:**
which identities to register and which credentials to split.
"""),
        code('''case.ownership(since=since).filter(pl.col("gaps").list.len() > 0).select(
    "identity_id", "kind", "gaps", "events", "first_seen", "last_seen", "sources")'''),
        code('''case.shared_credentials()  # none in the sample: every credential has one holder'''),
        md("""
## 5. Activity after revocation

Anything that still acted after its revocation, including credentials the suspect created during the
incident (they count as its own once it was contained). **Decide:** every row here is a live incident.
"""),
        code('''triggers.filter(pl.col("kind") == "activity_after_revocation").select(
    "time", "last_time", "identity", "subject", "via", "attributed_to", "evidence_count", "reason")'''),
        code('''case.revocation_checklist(suspect, since=since, revocations=revoked_at).filter(pl.col("status") != "quiet").select(
    "status", "item", "kind", "identity", "via", "revocation_path", "uses_after", "first_after", "last_after")'''),
        md("""
What to do about each, in words: the credential's kind, name, owner and where it lives, the vendor's step and
how to check it worked. The commands are shown for a person to run; nothing here runs them.
"""),
        code('''case.containment_actions(suspect, since=since, revocations=revoked_at).select("status", "what", "name", "owner", "step", "verify")'''),
        md("""
## 6. The report, and the exports

One self-contained HTML file for management (it opens offline; every value from the logs is escaped), the
suspect's timeline for Timesketch, and the normalized events as OCSF for the SIEM.
"""),
        code('''if report_out is None:
    report_out = out / "report.html"
report = case.report(suspect, report_out, since=since, detected_at=detected_at, revocations=revoked_at)
timesketch = case.export_timeline(suspect, out / "timeline.csv", format="csv", since=since)
ocsf = case.export_ocsf(out / "events.ocsf.jsonl", suspect=suspect, since=since)
print(f"report: {report} ({report.stat().st_size / 1e6:.1f} MB)")
print(f"Timesketch: {timesketch} events; OCSF: {ocsf} events")'''),
    ]


def _tagged(source: str) -> nbformat.NotebookNode:
    cell = new_code_cell(source.strip())
    cell.metadata["tags"] = ["parameters"]
    return cell


NOTEBOOKS = {
    "01_contain_0-24h.ipynb": contain,
    "02_scope_24-48h.ipynb": scope,
    "03_root_cause_48-72h.ipynb": root_cause,
}


def build(name: str) -> nbformat.NotebookNode:
    cells = NOTEBOOKS[name]()
    for n, cell in enumerate(cells):
        cell["id"] = f"{Path(name).stem[:2]}-{n:02d}"  # stable ids: the JSON does not change between builds
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    })
    nbformat.validate(nb)
    return nb


def main() -> int:
    for name in NOTEBOOKS:
        nbformat.write(build(name), HERE / name)
        print(f"wrote {HERE / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
