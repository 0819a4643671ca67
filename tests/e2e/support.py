"""Helpers of the end-to-end tests: a system started through rosec.run (the code path of `rosec run`), its
captured output, tokens, and waiting for things that happen asynchronously."""

from __future__ import annotations

import contextlib
import json
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from rosec import run, run_plan
from rosec.devissuer.client import request_token
from rosec.devissuer.local import generated_secrets, local_issuer, merged
from rosec.devissuer.server import DevIssuer
from rosec.model.system import System

T = TypeVar("T")
READY_TIMEOUT = 30.0
EVENTUALLY_TIMEOUT = 15.0


def port_offset_for(system: System, attempts: int = 50) -> int:
    """A port offset that puts every HTTP and gRPC port of the system on a free port below the ephemeral range,
    so that runs of the same system (other sessions, xdist workers) and of other examples do not collide."""
    ports = [p for s in system.services for p in (s.port, s.grpc_port) if p]
    for _ in range(attempts):
        offset = random.randrange(2000, 20000)
        if all(port_is_free(port + offset) for port in ports):
            return offset
    raise RuntimeError(f"no free ports for {system.name} after {attempts} attempts")


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class Output:
    """Every line each service printed, thread-safe; JSON log lines are also kept parsed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.lines: dict[str, list[str]] = {}

    def __call__(self, name: str, line: str) -> None:
        with self._lock:
            self.lines.setdefault(name, []).append(line)

    def logs(self, name: str) -> list[dict[str, Any]]:
        with self._lock:
            lines = list(self.lines.get(name, ()))
        records = []
        for line in lines:
            with contextlib.suppress(ValueError):
                record = json.loads(line)
                if isinstance(record, dict):
                    records.append(record)
        return records

    def text(self, name: str) -> str:
        with self._lock:
            return "\n".join(self.lines.get(name, ()))


@dataclass
class LiveSystem:
    """A system whose services run as child processes started by rosec.run.ServiceGroup."""

    system: System
    group: run.ServiceGroup
    output: Output
    env: dict[str, dict[str, str]]  # the environment each service got (rosec.run_plan.plan.plan)
    issuer: DevIssuer | None  # the local issuer, as `rosec run` starts it (None without identity)
    secrets: dict[str, str]  # every value of the run's layers: client secrets, dev users' passwords, ...
    port_offset: int
    exit_codes: dict[str, int] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.env[service]['PORT']}"

    def grpc_target(self, service: str) -> str:
        return f"127.0.0.1:{self.env[service]['GRPC_PORT']}"

    def logged(self, service: str, **fields: str) -> list[dict[str, Any]]:
        """The log records of a service whose fields have these values (ECS names: `logged("payments",
        **{"rose.event": "order.created"})`)."""
        return [r for r in self.output.logs(service) if all(r.get(k) == v for k, v in fields.items())]


@contextlib.contextmanager
def live_system(system: System, project_root: Path, overrides: Mapping[str, str]) -> Iterator[LiveSystem]:
    """Start the local issuer and every service of `system` as `rosec run` does (fresh client secrets, then
    `overrides` as the override layer; plan + ServiceGroup), on free ports; stop them at the end (the exit codes
    land in LiveSystem.exit_codes)."""
    offset = port_offset_for(system)
    layers = [generated_secrets(system), overrides]
    processes = run_plan.plan(system, project_root, layers=layers, port_offset=offset)
    output = Output()
    group = run.ServiceGroup(processes, output=output, ready_timeout=READY_TIMEOUT)
    with local_issuer(system, layers, offset) as issuer:
        live = LiveSystem(system, group, output, {p.name: dict(p.env) for p in processes}, issuer, merged(layers),
                          offset)
        try:
            group.start()
        except run_plan.RunError as error:
            raise AssertionError(f"{system.name} did not start: {error}") from None
        try:
            yield live
        finally:
            live.exit_codes = group.stop()


def eventually(probe: Callable[[], T | None], what: str, timeout: float = EVENTUALLY_TIMEOUT) -> T:
    """The first truthy result of `probe`, polled until `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.05)


class Tokens:
    """Access tokens of the running system's local issuer. `password` and `service` ask its token endpoint as
    `rosec token` does; `token` signs claims of any shape with its key (by default a person's token through the
    public client, with every service as audience), for tests of what the services refuse."""

    def __init__(self, live: LiveSystem) -> None:
        assert live.issuer is not None and live.system.identity is not None
        self.live = live
        self.issuer = live.issuer
        self.public_client = live.system.identity.public_client_id
        self.audience = [s.client_id for s in live.system.services]

    def token(self, *roles: str, subject: str = "e2e-user", client: str | None = None,
              audience: str | list[str] | None = None, issuer: str | None = None, expires_in: float = 300,
              key: rsa.RSAPrivateKey | None = None) -> str:
        now = int(time.time())
        claims = {"iss": issuer or self.issuer.issuer, "sub": subject, "typ": "Bearer",
                  "azp": client or self.public_client, "aud": self.audience if audience is None else audience,
                  "iat": now, "exp": int(now + expires_in), "realm_access": {"roles": list(roles)}}
        return jwt.encode(claims, key or self.issuer.key.private_key, algorithm="RS256",
                          headers={"kid": self.issuer.key.kid})

    def caller(self, *roles: str, of: str = "orders", **options: Any) -> str:
        """A token as the client of service `of` presents it (the callers an internal service accepts)."""
        return self.token(*roles, client=self.caller_client(of), **options)

    def caller_client(self, of: str = "orders") -> str:
        return self.live.system.service(of).client_id

    def header(self, *roles: str, subject: str = "e2e-user", **options: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(*roles, subject=subject, **options)}"}

    def password(self, user: str) -> str:
        """A dev user's token from the token endpoint (password grant)."""
        return request_token(self.live.system, self.live.secrets, user=user, port_offset=self.live.port_offset)

    def service(self, service: str, *audiences: str) -> str:
        """A calling service's token from the token endpoint (client credentials) for some of its callees."""
        return request_token(self.live.system, self.live.secrets, client=service, audiences=audiences,
                             port_offset=self.live.port_offset)


def order_body(customer: uuid.UUID, *lines: tuple[str, int, str], currency: str = "EUR") -> dict[str, Any]:
    return {"customer_id": str(customer),
            "lines": [{"sku": sku, "quantity": quantity, "unit_price": {"amount": price, "currency": currency}}
                      for sku, quantity, price in lines]}


def place_order(live: LiveSystem, tokens: Tokens, *lines: tuple[str, int, str],
                customer: uuid.UUID | None = None) -> dict[str, Any]:
    customer = customer or uuid.uuid4()
    response = httpx.post(f"{live.url('orders')}/orders", json=order_body(customer, *lines),
                          headers=tokens.header("customer", subject=str(customer)), timeout=10)
    assert response.status_code == 201, response.text
    order: dict[str, Any] = response.json()
    return order
