"""Real servers on the loopback for the collector tests: moto in server mode (S3, CloudTrail trails) and a
small threaded HTTP server that replays vendor-shaped pages (Okta, GitHub, Graph, ARM, Cloud Logging,
CloudTrail LookupEvents), with the failures the collectors must survive scripted per request."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "invoice-agent-incident" / "evidence"


@contextmanager
def moto_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def aws_env(monkeypatch: Any) -> None:
    """Fake credentials for boto3 (the standard chain reads them from the environment)."""
    for key, value in {"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "testing-secret",
                       "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null",
                       "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def upload_sample(endpoint: str, bucket: str, prefix: str = "", days: tuple[str, ...] = (),
                  org: str | None = None) -> int:
    """The sample incident's CloudTrail delivery files, under their AWSLogs/... keys (``days``: only
    those day folders, e.g. ``2026/11/10``; ``org``: as an organization trail delivers them,
    ``AWSLogs/<org>/<account>/...``)."""
    import boto3

    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket=bucket)
    base = SAMPLE / "aws"
    count = 0
    for path in sorted(base.rglob("*")):
        if path.is_file() and (not days or any(f"/{d}/" in path.as_posix() for d in days)):
            key = path.relative_to(base).as_posix()
            if org:
                key = key.replace("AWSLogs/", f"AWSLogs/{org}/", 1)
            s3.put_object(Bucket=bucket, Key=f"{prefix}/{key}" if prefix else key, Body=path.read_bytes())
            count += 1
    return count


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    truncate: int | None = None  # send only this many bytes of the body, with the full Content-Length


@dataclass
class Replay:
    """Answers each request with ``handler(request) -> Reply``; records what was asked."""

    handler: Callable[[dict[str, Any]], Reply]
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""


@contextmanager
def replay_server(handler: Callable[[dict[str, Any]], Reply]) -> Iterator[Replay]:
    replay = Replay(handler)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
            with lock:
                replay.requests.append(request)
                reply = replay.handler(request)
            self.send_response_only(reply.status)
            if not any(k.lower() == "date" for k in reply.headers):
                self.send_header("Date", self.date_time_string())
            payload = reply.body
            self.send_header("Content-Length", str(len(payload)))
            for k, v in reply.headers.items():
                self.send_header(k, v)
            if reply.truncate is not None:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(payload if reply.truncate is None else payload[:reply.truncate])
            self.wfile.flush()
            if reply.truncate is not None:
                self.close_connection = True

        do_GET = _serve
        do_POST = _serve

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    replay.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield replay
    finally:
        server.shutdown()
        server.server_close()


def jbytes(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()
