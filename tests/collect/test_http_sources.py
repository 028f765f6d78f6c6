"""The HTTP collectors (Okta, GitHub, Graph, ARM, Cloud Logging) against loopback servers that page the
scenarios' records as each vendor documents, with 429 + Retry-After, a 5xx, a truncated body, a garbled
body and an expired token on the way. Every run must ingest to exactly the records served, each once."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from tests.collect import vendors
from tests.collect.helpers import collect, ingest_evidence, log_lines, page_records, saved_pages
from tests.collect.servers import replay_server

pytest.importorskip("httpx")


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IRKIT_COLLECT_WAIT_SCALE", "0.001")
    for name in ("OKTA_API_TOKEN", "GITHUB_TOKEN", "AZURE_ACCESS_TOKEN", "GCP_TOKEN"):
        monkeypatch.setenv(name, "token-1")


def _check(case: Path, script: vendors.Script, records: list[Any], uid: str) -> Any:
    """Saved pages are the bytes the server sent, each once, and ingest to the records served, each once."""
    pages = saved_pages(case)
    stored = sorted(gzip.decompress(p.read_bytes()) for p in pages)
    served = sorted(b for b in script.sent if vendors.json.loads(b) not in ([], {"value": []}))
    served = [b for b in served if _has_records(b)]
    assert stored == served
    log = [e for e in log_lines(case) if e.get("file")]
    assert len(log) == len(pages) and len({(e["stream"], e["seq"]) for e in log}) == len(log)
    assert all("token-" not in json.dumps(e) for e in log_lines(case))  # no secret in the log
    got = [r[uid] for p in pages for r in page_records(p)]
    assert sorted(got) == sorted(r[uid] for r in records)  # nothing doubled, nothing lost
    opened, summary = ingest_evidence(case)
    assert summary.read == len(records) and summary.loaded + summary.quarantined + summary.duplicates == len(records)
    return opened, summary


def _has_records(body: bytes) -> bool:
    data = json.loads(body)
    if isinstance(data, list):
        return bool(data)
    return bool(data.get("value") or data.get("entries"))


def test_okta_pages_429_5xx_truncated(tmp_path: Path) -> None:
    records = vendors.okta_events()
    script = vendors.Script(failures={2: "429", 4: "503", 6: "truncate", 8: "garbled"})
    case = tmp_path / "C"
    with replay_server(vendors.link_pager(records, 50, script, "/api/v1/logs", vendors.okta_rate)) as server:
        assert collect("okta", "--case", str(case), "--org-url", server.url, "--since", "2026-10-20T00:00:00Z",
                       "--until", "2026-11-20T00:00:00Z") == 0
        first = vendors.parse_qs(vendors.urlsplit(server.requests[0]["path"]).query)
        assert server.requests[0]["headers"]["Authorization"] == "SSWS token-1"
    assert first["since"] == ["2026-10-20T00:00:00.000Z"] and first["until"] == ["2026-11-20T00:00:00.000Z"]
    assert first["sortOrder"] == ["ASCENDING"]
    opened, summary = _check(case, script, records, "uuid")
    assert summary.loaded == 283 and summary.quarantined == 0
    log = [e for e in log_lines(case) if e.get("file")]
    assert log[1]["attempts"] == 2 and log[1]["headers"]["x-rate-limit-remaining"] == "599"
    assert log[0]["url"].startswith(server.url + "/api/v1/logs?") and log[0]["status"] == 200


def test_okta_expired_token_stops_then_resumes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    records = vendors.okta_events()
    script = vendors.Script(failures={4: "expire"})
    case = tmp_path / "C"
    argv = ["okta", "--case", str(case), "--since", "2026-10-20T00:00:00Z", "--until", "2026-11-20T00:00:00Z"]
    with replay_server(vendors.link_pager(records, 40, script, "/api/v1/logs", vendors.okta_rate)) as server:
        assert collect(*argv, "--org-url", server.url) == 2
        assert "refused the credential" in capsys.readouterr().err
        assert len(saved_pages(case)) == 3
        asked = len(server.requests)
        monkeypatch.setenv("OKTA_API_TOKEN", "token-2")
        assert collect(*argv, "--org-url", server.url) == 0
        resumed = server.requests[asked]["path"]
    assert "after=cursor-120" in resumed  # the page the expired token was refused on, not the first
    _check(case, script, records, "uuid")


def test_github_enterprise_audit_log(tmp_path: Path) -> None:
    records = vendors.github_events()
    script = vendors.Script(failures={3: "429"})
    case = tmp_path / "C"
    with replay_server(vendors.link_pager(records, 25, script, "/enterprises/acme-corp/audit-log",
                                          vendors.github_rate)) as server:
        assert collect("github", "--case", str(case), "--enterprise", "acme-corp", "--api-url", server.url,
                       "--since", "2026-10-20T00:00:00Z", "--until", "2026-11-20T00:00:00Z") == 0
        query = vendors.parse_qs(vendors.urlsplit(server.requests[0]["path"]).query)
        assert server.requests[0]["headers"]["Authorization"] == "Bearer token-1"
    assert query["include"] == ["all"] and query["order"] == ["asc"]
    assert query["phrase"] == ["created:2026-10-20T00:00:00Z..2026-11-20T00:00:00Z"]
    _check(case, script, records, "_document_id")
    assert len(saved_pages(case)) == 7


def test_entra_signins_and_audits(tmp_path: Path) -> None:
    signins, audits = vendors.signins(), vendors.audits()
    script = vendors.Script(failures={2: "429", 3: "503"})
    pagers = {"/beta/auditLogs/signIns": vendors.odata_pager(signins, 60, script, "/beta/auditLogs/signIns"),
              "/v1.0/auditLogs/directoryAudits": vendors.odata_pager(audits, 4, script,
                                                                     "/v1.0/auditLogs/directoryAudits")}
    case = tmp_path / "C"
    with replay_server(lambda r: pagers[vendors.urlsplit(r["path"]).path](r)) as server:
        assert collect("entra", "--case", str(case), "--graph-url", server.url,
                       "--since", "2026-11-14T00:00:00Z", "--until", "2026-11-21T00:00:00Z") == 0
        where = vendors.parse_qs(vendors.urlsplit(server.requests[0]["path"]).query)["$filter"][0]
    assert where.startswith("createdDateTime ge 2026-11-14T00:00:00Z and createdDateTime le 2026-11-21T00:00:00Z")
    assert "t eq 'servicePrincipal'" in where
    opened, _ = _check(case, script, signins + audits, "id")
    sources = dict(opened.sql("SELECT source, count(*) AS n FROM events GROUP BY 1").iter_rows())
    assert sources == {"entra_signin": len(signins), "entra_audit": len(audits)}


def test_azure_activity(tmp_path: Path) -> None:
    records = vendors.activity()
    script = vendors.Script(failures={2: "truncate"})
    sub = "21a2e00e-38cd-4aca-b895-5ef62c26a8f4"
    path = f"/subscriptions/{sub}/providers/Microsoft.Insights/eventtypes/management/values"
    case = tmp_path / "C"
    with replay_server(vendors.odata_pager(records, 20, script, path, arm=True)) as server:
        assert collect("azure-activity", "--case", str(case), "--subscription", sub, "--arm-url", server.url,
                       "--since", "2026-11-14T00:00:00Z", "--until", "2026-11-21T00:00:00Z") == 0
        query = vendors.parse_qs(vendors.urlsplit(server.requests[0]["path"]).query)
    assert query["api-version"] == ["2015-04-01"]
    assert query["$filter"] == ["eventTimestamp ge '2026-11-14T00:00:00.000Z' and eventTimestamp le "
                                "'2026-11-21T00:00:00.000Z'"]
    opened, _ = _check(case, script, records, "eventDataId")
    assert opened.sql("SELECT DISTINCT source FROM events")["source"].to_list() == ["azure_activity"]


def test_gcp_logging_entries_list(tmp_path: Path) -> None:
    records = vendors.gcp_entries()
    script = vendors.Script(failures={3: "503", 5: "garbled"})
    case = tmp_path / "C"
    with replay_server(vendors.logging_pager(records, 100, script, empty_after=100)) as server:
        assert collect("gcp-logging", "--case", str(case), "--resource", "projects/acme-prod",
                       "--logging-url", server.url, "--token-env", "GCP_TOKEN",
                       "--since", "2026-11-11T00:00:00Z", "--until", "2026-11-18T00:00:00Z") == 0
        bodies = [json.loads(r["body"]) for r in server.requests]
    assert bodies[0]["orderBy"] == "timestamp asc" and "timestamp>=\"2026-11-11T00:00:00.000Z\"" in bodies[0]["filter"]
    empty = [e for e in log_lines(case) if e.get("file") is None and e.get("body")]
    assert len(empty) == 1 and json.loads(empty[0]["body"]) == {"nextPageToken": "200"}
    assert empty[0]["request_body"]["pageToken"] == "empty-200"
    _check(case, script, records, "insertId")


def test_gcp_google_auth_refreshes_an_expired_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Application-default credentials (a service-account key file whose token endpoint is the loopback
    server) through google-auth: the first access token is refused (401), google-auth signs a new
    assertion and gets a fresh token, the page is fetched again."""
    pytest.importorskip("google.auth")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    records = vendors.gcp_entries()[:150]
    script = vendors.Script(tokens={"token-1", "token-2"}, failures={2: "expire"})
    pager = vendors.logging_pager(records, 100, script)
    issued: list[str] = []

    def handler(request: dict[str, Any]) -> Any:
        if request["path"] == "/token":  # the OAuth token endpoint google-auth refreshes at
            assert b"jwt-bearer" in request["body"] and b"assertion=" in request["body"]
            issued.append("token-1" if not issued else "token-2")
            return vendors.Reply(200, vendors.jbytes({"access_token": issued[-1], "expires_in": 3600,
                                                      "token_type": "Bearer"}))
        return pager(request)

    case = tmp_path / "C"
    with replay_server(handler) as server:
        adc = tmp_path / "adc.json"
        adc.write_text(json.dumps({"type": "service_account", "project_id": "acme-prod", "private_key_id": "k1",
                                   "private_key": key, "client_email": "irkit-collector@acme-prod.example",
                                   "client_id": "1", "token_uri": f"{server.url}/token"}))
        monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(adc))
        monkeypatch.delenv("GCP_TOKEN", raising=False)
        assert collect("gcp-logging", "--case", str(case), "--resource", "projects/acme-prod",
                       "--logging-url", server.url, "--since", "2026-11-11T00:00:00Z",
                       "--until", "2026-11-18T00:00:00Z") == 0
    assert issued == ["token-1", "token-2"]  # the first token, then the refresh after the 401
    _check(case, script, records, "insertId")


def test_without_the_collect_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "httpx", None)  # as if not installed
    assert collect("okta", "--case", str(tmp_path / "C"), "--org-url", "http://127.0.0.1:9") == 2
    assert "pip install 'irkit[collect]'" in capsys.readouterr().err
    from irkit.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0


def test_redaction() -> None:
    from irkit.collect.http import redact_url

    url = "https://user:pw@host.example/p?sig=abc&token=t&after=cursor-1&X-Amz-Signature=s"
    assert redact_url(url) == "https://host.example/p?sig=REDACTED&token=REDACTED&after=cursor-1&X-Amz-Signature=REDACTED"


def test_rate_limit_headers_are_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    """A success whose quota is spent waits for X-Rate-Limit-Reset (against the server's Date) before the
    next request; Retry-After as an HTTP date is obeyed. Waits are recorded, not slept."""
    from email.utils import formatdate

    from irkit.collect.http import Http, StaticToken

    monkeypatch.setenv("IRKIT_COLLECT_WAIT_SCALE", "1")
    served = {"n": 0}
    server_now = 1_800_000_000  # the server's clock, far from ours: only its Date header counts

    def handler(request: dict[str, Any]) -> vendors.Reply:
        served["n"] += 1
        date = formatdate(server_now, usegmt=True)
        if served["n"] == 1:
            return vendors.Reply(200, b"[]", {"Date": date, "X-Rate-Limit-Remaining": "0",
                                              "X-Rate-Limit-Reset": str(server_now + 30)})
        if served["n"] == 2:
            return vendors.Reply(429, b"{}", {"Date": date, "Retry-After": formatdate(server_now + 7, usegmt=True)})
        return vendors.Reply(200, b"[]", {"Date": date})

    waits: list[float] = []
    with replay_server(handler) as server, Http(StaticToken("SSWS", "t"), sleep=waits.append) as http:
        http.fetch(server.url + "/api/v1/logs")
        http.fetch(server.url + "/api/v1/logs")
    assert len(waits) == 2
    assert 29 <= waits[0] <= 31.5  # until the reset (+1 s), not the local clock's idea of it
    assert waits[1] == pytest.approx(7, abs=0.01)


def test_okta_service_app_private_key_jwt(tmp_path: Path) -> None:
    """An Okta API Services app: an RS256 client assertion (iss = sub = client id, aud = the token
    endpoint) for an okta.logs.read token, and a new token when the first is refused mid-way."""
    pytest.importorskip("google.auth")
    from urllib.parse import parse_qs as form

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from google.auth import jwt

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "app.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    records = vendors.okta_events()
    script = vendors.Script(tokens={"token-1", "token-2"}, failures={3: "expire"})
    pager = vendors.link_pager(records, 100, script, "/api/v1/logs", vendors.okta_rate)
    claims: list[dict[str, Any]] = []

    def handler(request: dict[str, Any]) -> Any:
        if request["path"] == "/oauth2/v1/token":
            body = {k: v[0] for k, v in form(request["body"].decode()).items()}
            assert body["grant_type"] == "client_credentials" and body["scope"] == "okta.logs.read"
            assert body["client_assertion_type"].endswith("jwt-bearer")
            claims.append(jwt.decode(body["client_assertion"], certs=public, audience=server.url + "/oauth2/v1/token"))
            return vendors.Reply(200, vendors.jbytes({"access_token": f"token-{len(claims)}", "expires_in": 3600,
                                                      "token_type": "Bearer", "scope": "okta.logs.read"}))
        return pager(request)

    case = tmp_path / "C"
    with replay_server(handler) as server:
        assert collect("okta", "--case", str(case), "--org-url", server.url, "--client-id", "0oaServiceApp",
                       "--private-key", str(pem), "--since", "2026-10-20T00:00:00Z",
                       "--until", "2026-11-20T00:00:00Z") == 0
    assert len(claims) == 2 and all(c["iss"] == c["sub"] == "0oaServiceApp" for c in claims)
    assert claims[0]["jti"] != claims[1]["jti"]
    _check(case, script, records, "uuid")
