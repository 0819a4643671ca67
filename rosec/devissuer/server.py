"""The local development issuer: the realm's OpenID endpoints on the loopback interface, for `rosec run`.

    GET  /realms/<realm>/.well-known/openid-configuration
    GET  /realms/<realm>/protocol/openid-connect/certs     the JWKS (one RS256 key)
    POST /realms/<realm>/protocol/openid-connect/token     grant_type=client_credentials | password

Tokens are signed with PyJWT. The issuer refuses to start for anything but the environment with compose hosting
(whose realm it stands in for) and anything but a loopback address: it holds the dev users' passwords and mints
tokens for every client.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

import jwt

from rosec.devissuer.contract import Contract, Grant, OAuthError
from rosec.devissuer.keys import SigningKey
from rosec.model import identity as names
from rosec.model.environments import Environment
from rosec.model.system import System

MAX_BODY = 64 * 1024


class IssuerRefusedError(Exception):
    """The issuer will not start here; the message says why."""


class DevIssuer:
    """Serves one realm on 127.0.0.1:`port` until closed; `issuer` is the URL its tokens name (`iss`)."""

    def __init__(self, system: System, environment: Environment, key: SigningKey, secrets: Mapping[str, str],
                 *, issuer: str, host: str = "127.0.0.1", port: int = 0) -> None:
        if environment.hosting != "compose":
            raise IssuerRefusedError(f"the local issuer stands in for the realm of a compose environment only; "
                                f"'{environment.name}' is hosted on {environment.hosting}")
        if system.identity is None:
            raise IssuerRefusedError(f"system {system.name} declares no identity")
        if not _loopback(host):
            raise IssuerRefusedError(f"the local issuer listens on the loopback interface only, not on {host}")
        self.issuer = issuer
        self.realm = system.identity.realm
        self.key = key
        self.contract = Contract(system.identity, environment, secrets)
        self.issued: list[tuple[str, Grant]] = []  # (grant type, grant) of every token the endpoint issued
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="rosec-dev-issuer", daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_path(self) -> str:
        return f"/realms/{self.realm}"

    def start(self) -> DevIssuer:
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> DevIssuer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def sign(self, grant: Grant) -> str:
        """A signed access token for `grant` (also for tests that need a token of any shape)."""
        return jwt.encode(grant.claims(self.issuer), self.key.private_key, algorithm=names.ALGORITHM,
                          headers={"kid": self.key.kid, "typ": "JWT"})

    def discovery(self) -> dict[str, Any]:
        endpoints = f"{self.issuer}/protocol/openid-connect"
        return {"issuer": self.issuer, "jwks_uri": f"{endpoints}/certs", "token_endpoint": f"{endpoints}/token",
                "grant_types_supported": ["client_credentials", "password"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "id_token_signing_alg_values_supported": [names.ALGORITHM], "response_types_supported": []}

    def token_response(self, form: Mapping[str, str], authorization: str | None) -> dict[str, Any]:
        grant_type = form.get("grant_type", "")
        if grant_type == "client_credentials":
            client_id, secret = _client(form, authorization)
            grant = self.contract.client_credentials(client_id, secret, form.get("scope", ""))
        elif grant_type == "password":
            client_id, _ = _client(form, authorization)
            grant = self.contract.password(client_id, form.get("username", ""), form.get("password", ""),
                                           form.get("scope", ""))
        else:
            raise OAuthError(400, "unsupported_grant_type", f"unsupported grant type {grant_type!r}")
        with self._lock:
            self.issued.append((grant_type, grant))
        return {"access_token": self.sign(grant), "token_type": "Bearer",
                "expires_in": names.ACCESS_TOKEN_LIFESPAN_S, "scope": " ".join(grant.scopes)}


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _client(form: Mapping[str, str], authorization: str | None) -> tuple[str, str | None]:
    """The client id and secret: HTTP Basic (client_secret_basic) or the form (client_secret_post)."""
    if authorization and authorization.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError(401, "invalid_client", "malformed Basic credentials") from None
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id), unquote(secret)
    return form.get("client_id", ""), form.get("client_secret")


def _handler(issuer: DevIssuer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "rosec-dev-issuer"

        def do_GET(self) -> None:
            base = issuer.base_path
            if self.path == f"{base}/.well-known/openid-configuration":
                self._json(200, issuer.discovery())
            elif self.path == f"{base}/protocol/openid-connect/certs":
                self._json(200, {"keys": [issuer.key.jwk]})
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            if self.path != f"{issuer.base_path}/protocol/openid-connect/token":
                self._json(404, {"error": "not_found"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._json(413, {"error": "invalid_request", "error_description": "request too large"})
                return
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode("utf-8", "replace")).items()}
            try:
                self._json(200, issuer.token_response(form, self.headers.get("Authorization")))
            except OAuthError as error:
                self._json(error.status, {"error": error.error, "error_description": error.description})

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: every service logs its own calls."""

    return Handler
