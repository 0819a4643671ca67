"""schemathesis against live generated services: the app behaves as its openapi.json says (status codes, content
types, response schemas, rejection of invalid data, acceptance of valid data)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT
from service_support import build, free_port, python_env, service_environment, start_service, stop, wait_until_healthy
from test_rest_api import HANDLERS

from rosec.model.system import System

# allow_header_conformance: Starlette answers 405 with the methods of the first route on the path only.
# use_after_free / ensure_resource_availability: the test handlers keep no state (GET /orders/{id} is always 404).
EXCLUDED = "allow_header_conformance,use_after_free,ensure_resource_availability"

SERVE_ORDERS = '''
import sys
import uvicorn
from handlers import Handlers
from orders.api import create_app
from rose_runtime.auth import Principal
from rose_runtime.runtime import Runtime
from rose_runtime.settings import Settings


class Verifier:
    async def verify(self, token):
        return Principal(subject="tester", roles=frozenset(token.split(",")), token=token)


runtime = Runtime(Settings(system="shop", service="orders", environment="test", port=1), verifier=Verifier())
uvicorn.run(create_app(Handlers(None), runtime), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
'''


def schemathesis(base: str, cwd: Path, *headers: str) -> subprocess.CompletedProcess[str]:
    st = shutil.which("st", path=str(Path(sys.executable).parent))
    assert st, "schemathesis (st) is not installed next to this Python"
    command = [st, "run", f"{base}/openapi.json", "--url", base, "--checks", "all", "--exclude-checks", EXCLUDED,
               "--max-examples", "25", "--seed", "1", "--no-color"]
    for header in headers:
        command += ["-H", header]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=cwd)


def test_hello_conforms_to_its_openapi_document(minimal: System, tmp_path: Path) -> None:
    services = build(minimal, tmp_path)
    port = free_port()
    process = start_service("hello.main", [services, ROOT / "services" / "minimal" / "hello"],
                            service_environment(minimal, "hello", port))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(process, f"{base}/healthz")
        result = schemathesis(base, tmp_path)
    finally:
        stop(process)
    assert result.returncode == 0, result.stdout + result.stderr


def test_orders_conforms_to_its_openapi_document(shop: System, tmp_path: Path) -> None:
    services = build(shop, tmp_path)
    handlers = tmp_path / "handlers"
    handlers.mkdir()
    (handlers / "handlers.py").write_text(textwrap.dedent(HANDLERS), "utf-8")
    (tmp_path / "serve.py").write_text(SERVE_ORDERS, "utf-8")
    port = free_port()
    process = subprocess.Popen([sys.executable, str(tmp_path / "serve.py"), str(port)],
                               env=python_env(services, handlers), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(process, f"{base}/healthz")
        result = schemathesis(base, tmp_path, "Authorization: Bearer customer,admin,support")
    finally:
        stop(process)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
