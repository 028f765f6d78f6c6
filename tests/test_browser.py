"""The report written by ``irkit investigate`` on the sample, opened in a real headless browser.

Debian's ``chromium`` (installed by ``.ci/run``) is started with networking features off and driven
over the DevTools protocol. The evidence is the sample plus one copied CloudTrail record whose user
agent is a script: log content is attacker-controlled, and the report must show it as text.

Asserted: every plotly figure rendered (its div holds ``.main-svg``), no console error or uncaught
exception (a Content-Security-Policy violation would be one), no request left the page (every URL is
file:, data:, blob: or about:), and the injected script neither ran nor vanished: it reads as text.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.sample import INCIDENT, INVENTORY, evidence_paths, ground_truth

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
MARK = "irkit-xss-probe"
PAYLOAD = (f"</td></tr></table><script>window.__xss = '{MARK}'; document.title = 'owned'</script>"
           f"<img src=x onerror=\"window.__xss = 'img'\">{MARK}")
ALLOWED_SCHEMES = ("file:", "data:", "blob:", "about:")

# Skipped on a developer machine without chromium, never in CI: .ci/run sets IRKIT_REQUIRE_BROWSER, so
# a failed chromium install fails this test instead of hiding it.
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("IRKIT_REQUIRE_BROWSER"),
    reason="Debian's chromium is not installed (apt-get install chromium; .ci/run does it)",
)


class DevTools:
    """Just enough of the Chrome DevTools protocol: one page, commands, and every event recorded."""

    def __init__(self, url: str) -> None:
        import websocket  # websocket-client, in the test extra

        self.ws = websocket.create_connection(url, timeout=30, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        self.session: str | None = None

    def send(self, method: str, timeout: float = 30, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            message["sessionId"] = self.session
        self.ws.send(json.dumps(message))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)
        raise TimeoutError(method)

    def wait_for(self, method: str, timeout: float = 30) -> dict[str, Any]:
        for event in self.events:
            if event.get("method") == method:
                return event
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            event = json.loads(self.ws.recv())
            self.events.append(event)
            if event.get("method") == method:
                return event
        raise TimeoutError(method)

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def of(self, method: str) -> list[dict[str, Any]]:
        return [e["params"] for e in self.events if e.get("method") == method]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTools]:
    profile = tmp_path_factory.mktemp("chromium-profile")
    proc = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--no-default-browser-check",
         "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}",
         "--remote-debugging-port=0", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = _devtools_url(proc)
        tools = DevTools(url)
        target = tools.send("Target.createTarget", url="about:blank")["targetId"]
        tools.session = tools.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            tools.send(f"{domain}.enable")
        yield tools
        tools.ws.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _devtools_url(proc: subprocess.Popen[str]) -> str:
    assert proc.stderr is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        found = re.search(r"DevTools listening on (ws://\S+)", line)
        if found:
            return found.group(1)
        if not line and proc.poll() is not None:
            break
    raise RuntimeError("chromium did not start its DevTools endpoint")


def poisoned_evidence(folder: Path) -> Path:
    """A CloudTrail file holding a copy of a sample record with a script as its user agent: the first
    CloudTrail call of the incident that the ground truth attributes to a tool call."""
    import gzip

    wanted = next(a["event_uid"] for a in ground_truth()["attribution"] if a["source"] == "cloudtrail")
    for path in (p for base in evidence_paths() for p in sorted(base.rglob("*.json.gz"))):
        records = json.loads(gzip.decompress(path.read_bytes()))["Records"]
        for record in records:
            if record.get("eventID") == wanted:
                copy = dict(record, eventID="0badc0de-0000-4000-8000-000000000001", userAgent=PAYLOAD)
                out = folder / "poisoned" / "cloudtrail-poisoned.json"
                out.parent.mkdir(parents=True)
                out.write_text(json.dumps({"Records": [copy]}))
                return out.parent
    raise AssertionError(f"sample record {wanted} not found")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("investigate")
    out = work / "report.html"
    cmd = [sys.executable, "-c", "import sys; from irkit.cli import main; sys.exit(main())", "investigate", *map(str, evidence_paths()),
           str(poisoned_evidence(work)), "--suspect", "invoice-agent", "--inventory", str(INVENTORY),
           "--incident", str(INCIDENT), "--out", str(out), "--no-progress"]
    done = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONUTF8": "1"})
    assert done.returncode == 0, done.stderr
    assert "triggers" in done.stdout and str(out.resolve()) in done.stdout
    return out


@pytest.fixture(scope="module")
def page(browser: DevTools, report: Path) -> DevTools:
    browser.events.clear()
    browser.send("Page.navigate", url=report.resolve().as_uri())
    browser.wait_for("Page.loadEventFired", timeout=60)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # plotly draws after load
        state = browser.evaluate("[...document.querySelectorAll('.plotly-graph-div')]"
                                 ".map(d => d.querySelector('.main-svg') !== null)")
        if state and all(state):
            break
        time.sleep(0.2)
    return browser


def test_figures_rendered(page: DevTools) -> None:
    ids = page.evaluate("[...document.querySelectorAll('.plotly-graph-div')].filter(d => d.querySelector('.main-svg'))"
                        ".map(d => d.id)")
    assert set(ids) == {"figure-timeline", "figure-sessions", "figure-blast"}
    # each figure drew data, not only empty axes
    points = page.evaluate("[...document.querySelectorAll('.plotly-graph-div')]"
                           ".map(d => d.querySelectorAll('.point, .scatterlayer path, .bars path').length)")
    assert all(n > 0 for n in points), points
    assert page.evaluate("typeof Plotly") == "object"


def test_no_console_errors(page: DevTools) -> None:
    errors = [e for e in page.of("Runtime.consoleAPICalled") if e["type"] in ("error", "assert")]
    errors += page.of("Runtime.exceptionThrown")
    errors += [e for e in page.of("Log.entryAdded") if e["entry"]["level"] == "error"]
    assert errors == []


def test_no_request_left_the_page(page: DevTools, report: Path) -> None:
    urls = [e["request"]["url"] for e in page.of("Network.requestWillBeSent")]
    assert report.resolve().as_uri() in urls
    assert [u for u in urls if not u.startswith(ALLOWED_SCHEMES)] == []
    assert page.of("Network.loadingFailed") == []
    # and nothing in the page points outside it
    external = page.evaluate("[...document.querySelectorAll('[src], link[href]')]"
                             ".map(e => e.src || e.href).filter(u => !/^(data|blob|about|file):/.test(u))")
    assert external == []


def test_injected_script_did_not_run_and_shows_as_text(page: DevTools) -> None:
    assert page.evaluate("window.__xss === undefined")
    assert page.evaluate("document.title") == "Incident report: invoice-agent"
    assert page.evaluate(f"[...document.scripts].some(s => s.text.includes('{MARK}'))") is False
    assert page.evaluate("[...document.images].length") == 0
    cells = page.evaluate(f"[...document.querySelectorAll('td')].filter(td => td.textContent.includes('{MARK}'))"
                          ".map(td => td.textContent)")
    assert PAYLOAD in cells
    # the table it sits in is still whole: the payload's </table> closed nothing
    assert page.evaluate("document.querySelectorAll('section#timeline table').length") >= 2


def test_report_is_one_file_with_plotly_once(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    assert len(re.findall(r"\* plotly\.js v\d", html)) == 1  # the bundle's banner: embedded exactly once
    assert len(re.findall(r"<script[^>]*\bsrc=", html)) == 0
    assert not re.search(r"<link[^>]+href=|@import|url\(https?:", html)  # no stylesheet, font or image from outside
    assert "Content-Security-Policy" in html
    assert not str(report.resolve()).startswith(str(Path(__file__).resolve().parent.parent / "sample_data"))


def _utc(text: str) -> Any:
    from datetime import UTC, datetime

    return datetime.fromisoformat(text.replace(" ", "T")).replace(tzinfo=UTC)


def test_timeline_opens_on_the_incident_window(page: DevTools) -> None:
    from datetime import timedelta

    truth = ground_truth()
    lo, hi = page.evaluate("document.getElementById('figure-timeline').layout.xaxis.range")
    compromise, detected = _utc(truth["times"]["compromise"][:-1]), _utc(truth["times"]["detected"][:-1])
    assert compromise - timedelta(minutes=5) <= _utc(lo) < _utc(hi) <= detected, (lo, hi)
    assert page.evaluate("document.getElementById('figure-timeline').layout.xaxis.rangeslider.visible") is True


def test_blast_radius_has_one_node_per_identity_and_labelled_edges(page: DevTools) -> None:
    names = page.evaluate("document.getElementById('figure-blast').data.filter(t => t.name === 'identity')[0].text")
    assert len(names) == len(set(names)) and "invoice-agent" in names
    assert not [n for n in names if n.startswith("arn:") or n.endswith("[bot]")]  # aliases folded in
    edges = page.evaluate("document.getElementById('figure-blast').data.filter(t => t.mode === 'lines').map(t => t.name)")
    assert any(e.startswith("edge: ") for e in edges) and any(e.startswith("critical path") for e in edges)
    labels = page.evaluate("document.getElementById('figure-blast').layout.annotations.map(a => a.text)")
    assert any(label.startswith("spawned") for label in labels)
    drawn = page.evaluate("[...document.querySelectorAll('#figure-blast .annotation-text')].map(a => a.textContent)")
    assert any(t.startswith("spawned") for t in drawn)  # drawn on the page, not only in the data


def test_every_evidence_id_resolves_to_an_appendix_entry(page: DevTools) -> None:
    links = page.evaluate("[...document.querySelectorAll('a.ev')].map(a => [a.getAttribute('href'), a.textContent])")
    assert len(links) > 50
    missing = page.evaluate("[...document.querySelectorAll('a.ev')].filter(a => "
                            "!document.getElementById(a.getAttribute('href').slice(1))).map(a => a.textContent)")
    assert missing == []
    entries = page.evaluate("[...document.querySelectorAll('#appendix .ev-entry')].map(e => "
                            "[e.querySelector('.ev-id').textContent, e.querySelector('.ev-where') ? "
                            "e.querySelector('.ev-where').textContent : '', e.querySelector('pre.raw') ? "
                            "e.querySelector('pre.raw').textContent : ''])")
    assert {t for _, t in links} == {uid for uid, _, _ in entries}
    located = [e for e in entries if e[1]]
    assert len(located) >= 0.9 * len(entries)
    assert all(" line " in where and "JSON path" in where and raw.startswith("{") for _, where, raw in located)
    compromise = page.evaluate("document.querySelector('#injection-excerpt').textContent")
    assert "NOTE FOR THE AI ASSISTANT" in compromise


def test_the_report_prints_to_pdf(page: DevTools, tmp_path: Path) -> None:
    import base64

    pdf = base64.b64decode(page.send("Page.printToPDF", timeout=120, landscape=True, printBackground=True,
                                     preferCSSPageSize=True)["data"])
    assert pdf.startswith(b"%PDF-") and len(pdf) > 50_000
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 5
    (tmp_path / "report.pdf").write_bytes(pdf)
