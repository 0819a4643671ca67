"""Every shop service's generated code imports, its scaffolded Handlers subclass passes the startup check, and its
FastAPI app has exactly the operations and parameters of openapi.json. Each service in its own interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from service_support import build, python_env

from rosec.model.system import System
from rosec.targets.services.scaffold import scaffold

PROBE = Path(__file__).with_name("probe_service.py")
SHOP_SERVICES = ["catalog", "orders", "inventory", "payments", "notifications"]


@pytest.fixture(scope="module")
def shop_project(shop: System, tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("shop-project")
    build(shop, project)
    scaffold(shop, project)
    return project


@pytest.mark.parametrize("name", SHOP_SERVICES)
def test_generated_service_imports_and_accepts_the_scaffolded_handlers(shop: System, shop_project: Path,
                                                                       name: str) -> None:
    service = shop.service(name)
    services = shop_project / "generated" / "shop" / "services"
    handlers = shop_project / shop.layout.handlers_dir / name
    result = subprocess.run([sys.executable, str(PROBE), service.python_name, service.class_prefix],
                            env=python_env(services, handlers), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    expected = {"models", "handlers", "deps", "main"}
    if service.endpoints:
        expected |= {"api", "rest_client"}
    if service.grpc_methods:
        expected |= {"grpc_service", "grpc_client", "convert"}
    if service.needs_broker:
        expected.add("messaging")
    assert set(report["modules"]) == expected
    handler_names = {e.operation_id for e in service.endpoints} | {m.handler for m in service.grpc_methods} | {
        c.handler for c in service.consumers}
    assert set(report["abstract"]) == handler_names
    if service.endpoints:
        assert report["openapi"] == {e.operation_id: f"{e.method} {e.path}" for e in service.endpoints}
