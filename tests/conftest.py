"""Shared test fixtures: repository paths, the official schemas in ../shared, spec helpers, and the local
infrastructure (a RabbitMQ vhost, PostgreSQL databases, an OIDC key server) for the runtime and end-to-end tests."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from rosec.diagnostics import SpecError
from rosec.forked import usable_cpus
from rosec.model.system import System
from rosec.pipeline import load_system

if TYPE_CHECKING:
    from runtime.support import JwksServer

    from rosec.devissuer.server import DevIssuer

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "spec-examples"
GENERATED = ROOT / "generated"
SHARED_SCHEMAS = ROOT.parent / "shared" / "schemas"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true",
                     help="Rewrite generated/<example>/ from the examples instead of comparing.")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "long(seconds): a test taking about that long alone; the longest start first")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long tests first, longest first, each followed by one other test, then the rest in their order.

    xdist (`--maxschedchunk 1`) hands each worker two tests to begin with, then one whenever it has fewer than
    two: so each worker starts on a long test of its own, and no long test is left for the end, when it would
    keep one worker busy after the others ran out of tests."""

    def seconds(item: pytest.Item) -> float:
        marker = item.get_closest_marker("long")
        return float(marker.kwargs["seconds"]) if marker else 0.0

    long = sorted((item for item in items if seconds(item)), key=seconds, reverse=True)
    rest = iter([item for item in items if not seconds(item)])
    ordered = [item for first in long for item in (first, next(rest, None)) if item is not None]
    items[:] = ordered + list(rest)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """One worker per CPU, and one more: the longest test (the moto apply) mostly waits on the AWS provider's
    waiters, and the services the end-to-end tests start mostly wait too."""
    return usable_cpus() + 1


def example_specs() -> list[Path]:
    return sorted(EXAMPLES.glob("*/rose.yaml"))


def shared_schema(name: str) -> dict[str, Any]:
    path = SHARED_SCHEMAS / name
    if not path.exists():
        pytest.fail(f"official schema {path} is missing: the tests read ../shared/schemas beside the repository")
    return json.loads(path.read_text("utf-8"))


def run_scenario(script: Path, name: str, argument: Path) -> dict[str, Any]:
    """The JSON object a scenario script prints (`python SCRIPT NAME ARGUMENT`), run in a fresh interpreter: in
    a test worker other tests' threads run, and rosec does not fork then."""
    done = subprocess.run([sys.executable, str(script), name, str(argument)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def system_from_text(tmp_path: Path, text: str, name: str = "rose.yaml") -> System:
    spec = tmp_path / name
    spec.write_text(text, "utf-8")
    return load_system(spec)


def errors_of(tmp_path: Path, text: str | bytes) -> list[str]:
    """Rendered diagnostics for a spec given as text, or [] when it is valid."""
    spec = tmp_path / "rose.yaml"
    spec.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    try:
        load_system(spec)
    except SpecError as error:
        return [d.render() for d in error.diagnostics]
    return []


@pytest.fixture(scope="session")
def shop() -> System:
    return load_system(EXAMPLES / "shop" / "rose.yaml")


@pytest.fixture(scope="session")
def minimal() -> System:
    return load_system(EXAMPLES / "minimal" / "rose.yaml")


POSTGRES_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"  # trust auth


def _rabbitmqctl(*args: str) -> None:
    if shutil.which("rabbitmqctl") is None:
        pytest.fail("rabbitmqctl is not on the PATH: these tests need the RabbitMQ server on 127.0.0.1:5672")
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@contextlib.contextmanager
def rabbitmq_vhost(prefix: str = "rosec-test") -> Iterator[str]:
    """A vhost of its own on the local RabbitMQ (user guest may use it), deleted afterwards."""
    vhost = f"{prefix}-{uuid.uuid4().hex[:12]}"
    _rabbitmqctl("add_vhost", vhost)
    try:
        _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        yield vhost
    finally:
        _rabbitmqctl("delete_vhost", vhost)


@contextlib.contextmanager
def postgres_databases(count: int = 1, prefix: str = "rosec_test") -> Iterator[list[str]]:
    """Databases of their own on the local PostgreSQL (trust auth, user postgres), dropped afterwards; their DSNs
    without password."""
    import asyncpg

    names = [f"{prefix}_{uuid.uuid4().hex[:12]}" for _ in range(count)]

    async def execute(*statements: str) -> None:
        connection = await asyncpg.connect(POSTGRES_ADMIN_DSN)
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(execute(*(f'CREATE DATABASE "{name}"' for name in names)))
    try:
        yield [f"postgresql://postgres@127.0.0.1:5432/{name}" for name in names]
    finally:
        asyncio.run(execute(*(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in names)))


@pytest.fixture(scope="session")
def amqp_vhost() -> Iterator[str]:
    """A vhost of its own for this test session, deleted at the end."""
    with rabbitmq_vhost() as vhost:
        yield vhost


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A database of its own for this test session; its DSN without password."""
    with postgres_databases(1) as (dsn,):
        yield dsn


@pytest.fixture(scope="session")
def jwks() -> Iterator[JwksServer]:
    """An identity provider's key endpoint on a local port that mints real RS256 tokens."""
    from runtime.support import JwksServer

    server = JwksServer()
    try:
        yield server
    finally:
        server.close()


def issuer_secrets(system: System) -> dict[str, str]:
    """What a local run gives the local issuer: fresh client secrets and a password per dev user."""
    from rosec.devissuer.local import generated_secrets

    environment = system.compose_environment
    assert environment is not None
    return {**generated_secrets(system), **{u.password_env: f"pw-{u.name}" for u in environment.dev_users}}


@dataclass(frozen=True)
class LocalIssuer:
    issuer: DevIssuer
    secrets: dict[str, str]
    port_offset: int  # the run's port offset that puts the issuer on its port


@pytest.fixture(scope="session")
def shop_issuer(shop: System) -> Iterator[LocalIssuer]:
    """The shop's local issuer as `rosec run --port-offset N` starts it, on a free port."""
    from rosec.devissuer import local
    from rosec.model.deployments import local_issuer_port

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        offset = sock.getsockname()[1] - local_issuer_port()
    secrets = issuer_secrets(shop)
    issuer = local.start(shop, secrets, port_offset=offset)
    try:
        yield LocalIssuer(issuer, secrets, offset)
    finally:
        issuer.close()
