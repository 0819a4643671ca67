"""Sentry from a real service process: the generated hello service, whose handler raises, with its SENTRY_DSN
pointing at an HTTP server of this test. The envelope that arrives names the environment, the release, the
service and the trace of the request; probes are never traced; the error's log line carries ECS error fields."""

from __future__ import annotations

import gzip
import json
import textwrap
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from service_support import build, free_port, service_environment, start_service, stop, wait_until_healthy

from rosec.model.logs import LOG_FIELDS
from rosec.model.system import System

RAISING_HANDLERS = """
    from hello.handlers import HelloHandlers
    from hello.models import Greeting
    from rose_runtime.context import RequestContext


    class Handlers(HelloHandlers):
        async def get_hello_by_name(self, name: str, ctx: RequestContext) -> Greeting:
            raise RuntimeError(f"no greeting for {name}")
"""


class SentryReceiver:
    """A stand-in for Sentry's ingestion endpoint: records every envelope POSTed to /api/<project>/envelope/."""

    def __init__(self) -> None:
        self.items: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (item header, payload)
        self.paths: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                owner.receive(self.path, body)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.lock = threading.Lock()

    def receive(self, path: str, body: bytes) -> None:
        lines = body.split(b"\n")
        with self.lock:
            self.paths.append(path)
            for header, payload in zip(lines[1::2], lines[2::2], strict=False):
                if header.strip():
                    self.items.append((json.loads(header), json.loads(payload) if payload.strip() else {}))

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        with self.lock:
            return [payload for header, payload in self.items if header.get("type") == kind]


@pytest.fixture(scope="module")
def receiver() -> Iterator[SentryReceiver]:
    receiver = SentryReceiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def wait_for(probe: Any, what: str, timeout: float = 15) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_an_error_in_a_handler_reaches_sentry_with_release_environment_service_and_trace(
        minimal: System, receiver: SentryReceiver, tmp_path: Path) -> None:
    generated = build(minimal, tmp_path / "project")
    handlers = tmp_path / "handlers"
    handlers.mkdir()
    (handlers / "handlers.py").write_text(textwrap.dedent(RAISING_HANDLERS), "utf-8")
    port = free_port()
    env = service_environment(minimal, "hello", port) | {
        "SENTRY_DSN": f"http://public@127.0.0.1:{receiver.port}/42", "SENTRY_ENVIRONMENT": "staging",
        "SERVICE_VERSION": "1.4.2", "SENTRY_TRACES_SAMPLE_RATE": "1", "LOG_DATASET": "minimal.hello"}
    process = start_service("hello.main", [generated, handlers], env)
    trace_id = uuid.uuid4().hex
    try:
        wait_until_healthy(process, f"http://127.0.0.1:{port}/healthz")
        for _ in range(3):
            assert httpx.get(f"http://127.0.0.1:{port}/metrics").status_code == 200
        response = httpx.get(f"http://127.0.0.1:{port}/hello/ada", headers={
            "sentry-trace": f"{trace_id}-{'b' * 16}-1", "X-Request-ID": "req-sentry-1"})
        assert response.status_code == 500 and "no greeting" not in response.text, "no details to the caller"
        event = wait_for(lambda: receiver.of_type("event"), "the error event")[0]
        transactions = wait_for(lambda: receiver.of_type("transaction"), "the request's transaction")
    finally:
        code, output = stop(process)
    assert code == 0, output
    assert receiver.paths[0] == "/api/42/envelope/"
    assert event["environment"] == "staging" and event["release"] == "hello@1.4.2"
    assert event["tags"]["service"] == "hello" and event["tags"]["system"] == "minimal"
    assert event["tags"]["correlation_id"] == "req-sentry-1"
    assert event["contexts"]["trace"]["trace_id"] == trace_id, "the error belongs to the caller's trace"
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert "user" not in event and "cookies" not in event.get("request", {}), "no personal data"
    assert [t["transaction"] for t in transactions] == ["GET /hello/{name}"], "probes and scrapes are not traced"
    assert transactions[0]["contexts"]["trace"]["trace_id"] == trace_id
    assert transactions[0]["release"] == "hello@1.4.2"

    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    failed = next(line for line in lines if line.get("error.type") == "RuntimeError")
    assert failed["error.message"] == "no greeting for ada" and "Traceback" in failed["error.stack_trace"]
    assert (failed["trace.id"], failed["service.version"], failed["event.dataset"]) == \
        (trace_id, "1.4.2", "minimal.hello")
    unmapped = {key for line in lines for key in line if key not in LOG_FIELDS and not key.startswith("labels.")}
    assert not unmapped, f"fields the index template does not map: {unmapped}"
