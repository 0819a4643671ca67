"""The generated minimal `hello` service as a real process: `python -m hello.main` on a free port, real HTTP."""

from __future__ import annotations

import json
import signal
import textwrap
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import ROOT
from service_support import build, free_port, service_environment, start_service, stop, wait_until_healthy

from rosec.model.system import System

HANDLERS_DIR = ROOT / "services" / "minimal" / "hello"


@pytest.fixture(scope="module")
def hello_build(minimal: System, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(minimal, tmp_path_factory.mktemp("minimal"))


@pytest.fixture(scope="module")
def hello(minimal: System, hello_build: Path) -> Iterator[str]:
    """The base URL of a running hello service (with the repository's real handlers)."""
    port = free_port()
    process = start_service("hello.main", [hello_build, HANDLERS_DIR], service_environment(minimal, "hello", port))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(process, f"{base}/healthz")
        yield base
    finally:
        code, output = stop(process)
        assert code == 0, f"hello did not stop cleanly after SIGTERM ({signal.SIGTERM.name}):\n{output}"


def test_endpoint_answers_with_the_greeting(hello: str) -> None:
    response = httpx.get(f"{hello}/hello/World")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"message": "Hello, World!"}
    assert response.headers["x-request-id"]


def test_path_parameters_are_decoded(hello: str) -> None:
    assert httpx.get(f"{hello}/hello/Ada%20Lovelace").json() == {"message": "Hello, Ada Lovelace!"}


def test_probes_and_metrics(hello: str) -> None:
    assert httpx.get(f"{hello}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{hello}/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ok"
    httpx.get(f"{hello}/hello/metrics-check")
    metrics = httpx.get(f"{hello}/metrics")
    assert metrics.status_code == 200
    assert 'route="/hello/{name}"' in metrics.text
    assert 'service="hello"' in metrics.text


def test_unknown_route_is_problem_json(hello: str) -> None:
    response = httpx.get(f"{hello}/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_app_serves_exactly_the_committed_openapi_document(hello: str, hello_build: Path) -> None:
    committed = json.loads((hello_build / "hello" / "openapi.json").read_text("utf-8"))
    assert httpx.get(f"{hello}/openapi.json").json() == committed


def _exit_of(minimal: System, hello_build: Path, handlers_dir: Path) -> tuple[int, str]:
    process = start_service("hello.main", [hello_build, handlers_dir],
                            service_environment(minimal, "hello", free_port()))
    try:
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    return process.returncode, output


def _handlers(tmp_path: Path, body: str) -> Path:
    directory = tmp_path / "handlers-dir"
    directory.mkdir()
    (directory / "handlers.py").write_text(textwrap.dedent(body), "utf-8")
    return directory


def test_missing_handler_stops_the_process_naming_it(minimal: System, hello_build: Path, tmp_path: Path) -> None:
    directory = _handlers(tmp_path, """
        from hello.handlers import HelloHandlers

        class Handlers(HelloHandlers):
            pass
    """)
    code, output = _exit_of(minimal, hello_build, directory)
    assert code != 0
    assert "get_hello_by_name" in output
    assert "not implemented" in output


def test_wrongly_typed_handler_stops_the_process_naming_it(minimal: System, hello_build: Path,
                                                           tmp_path: Path) -> None:
    directory = _handlers(tmp_path, """
        from __future__ import annotations

        from hello.handlers import HelloHandlers
        from hello.models import Greeting
        from rose_runtime.context import RequestContext

        class Handlers(HelloHandlers):
            async def get_hello_by_name(self, name: int, ctx: RequestContext) -> Greeting:
                return Greeting(message=str(name))
    """)
    code, output = _exit_of(minimal, hello_build, directory)
    assert code != 0
    assert "get_hello_by_name" in output
    assert "name: int" in output and "name: str" in output


def test_missing_handlers_module_stops_the_process(minimal: System, hello_build: Path, tmp_path: Path) -> None:
    code, output = _exit_of(minimal, hello_build, tmp_path)
    assert code != 0
    assert "cannot import handlers.Handlers" in output


def test_incomplete_environment_stops_the_process(minimal: System, hello_build: Path) -> None:
    process = start_service("hello.main", [hello_build, HANDLERS_DIR], {"SERVICE_NAME": "hello"})
    output, _ = process.communicate(timeout=30)
    assert process.returncode != 0
    assert "ROSE_SYSTEM is required" in output
