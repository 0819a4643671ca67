"""Fixtures: the rendered runtime on sys.path. The RabbitMQ vhost (amqp_vhost), PostgreSQL database
(postgres_database) and OIDC key server (jwks) come from tests/conftest.py, shared with the end-to-end tests."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rosec.model.system import System
from rosec.targets.runtime import render


@pytest.fixture(scope="session", autouse=True)
def runtime_services_dir(shop: System, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """generated/shop/services with rose_runtime as `rosec build` writes it, importable for the tests."""
    root = tmp_path_factory.mktemp("generated-shop")
    for relative, content in render(shop).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    services = root / shop.layout.services_dir
    sys.path.insert(0, str(services))
    yield services
    sys.path.remove(str(services))
    for name in [m for m in sys.modules if m == "rose_runtime" or m.startswith("rose_runtime.")]:
        del sys.modules[name]
