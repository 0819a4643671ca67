"""Test helpers: service environments, an OIDC key server minting real RS256 tokens, AMQP topologies.

Nothing here imports rose_runtime at import time: the session fixture puts it on sys.path first.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

if TYPE_CHECKING:
    from rose_runtime.amqp_topology import Topology
    from rose_runtime.runtime import Runtime
    from rose_runtime.settings import Settings

ISSUER = "http://127.0.0.1/realms/shop"
AUDIENCE = "shop-orders"


def environ(**overrides: str | None) -> dict[str, str]:
    """The environment rosec gives the orders service, with overrides (None removes a variable)."""
    env: dict[str, str | None] = {"ROSE_SYSTEM": "shop", "SERVICE_NAME": "orders", "ROSE_ENVIRONMENT": "test",
                                  "PORT": "8101", **overrides}
    return {k: v for k, v in env.items() if v is not None}


def settings(**overrides: str | None) -> Settings:
    from rose_runtime.settings import Settings

    return Settings.from_env(environ(**overrides))


def runtime(**overrides: str | None) -> Runtime:
    from rose_runtime.runtime import Runtime

    return Runtime(settings(**overrides))


def amqp_env(vhost: str) -> dict[str, str]:
    return {"AMQP_URL": f"amqp://guest@127.0.0.1:5672/{vhost}", "AMQP_PASSWORD": "guest"}


def topology(*events: str, max_attempts: int = 5) -> Topology:
    """A topology of its own per test (unique system name), shaped as the rosec model derives it."""
    from rose_runtime.amqp_topology import ConsumerTopology, Topology

    system = f"t{uuid.uuid4().hex[:10]}"
    consumers = tuple(ConsumerTopology(event, queue, f"{queue}.retry", f"{queue}.dead", max_attempts,
                                       (("x-dead-letter-exchange", f"{system}.dead-letter"),
                                        ("x-dead-letter-routing-key", queue)),
                                       (("x-dead-letter-exchange", ""), ("x-dead-letter-routing-key", queue)))
                      for event in events for queue in [f"{system}.orders.{event}"])
    return Topology(f"{system}.events", f"{system}.retry", f"{system}.dead-letter", consumers)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JwksServer:
    """An identity provider's key endpoint on a local port, and tokens signed with its keys."""

    def __init__(self) -> None:
        self.keys: dict[str, rsa.RSAPrivateKey] = {}
        self.fetches = 0
        self.add_key("key-1")
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.fetches += 1
                body = json.dumps(owner.jwks()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/realms/shop/protocol/openid-connect/certs"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def add_key(self, kid: str) -> None:
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid, key in self.keys.items():
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
            keys.append({**jwk, "kid": kid, "use": "sig", "alg": "RS256"})
        return {"keys": keys}

    def token(self, *, roles: tuple[str, ...] = (), kid: str = "key-1", subject: str = "user-1",
              issuer: str = ISSUER, audience: str | list[str] = AUDIENCE, expires_in: float = 300,
              key: rsa.RSAPrivateKey | None = None, **claims: Any) -> str:
        now = int(time.time())
        payload = {"sub": subject, "iss": issuer, "aud": audience, "iat": now, "exp": int(now + expires_in),
                   "realm_access": {"roles": list(roles)}, **claims}
        return jwt.encode(payload, key or self.keys[kid], algorithm="RS256", headers={"kid": kid})

    def oidc_env(self) -> dict[str, str]:
        return {"OIDC_ISSUER_URL": ISSUER, "OIDC_JWKS_URL": self.url, "OIDC_AUDIENCE": AUDIENCE}

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
