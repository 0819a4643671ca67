"""What the local development issuer grants: the contract of the generated realm, derived from the same model.

A calling service's client (client credentials, its secret) gets a token of its service account: its roles,
and the audience of each callee whose scope it requests. The client people log in with gets, for a dev user
(password grant), a token with the user's roles and the audiences of the services the gateway exposes. Claims
and errors are those Keycloak issues for the realm (RFC 6749 error codes).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rosec.model import identity as names
from rosec.model.environments import Environment
from rosec.model.identity import Identity


class OAuthError(Exception):
    """An error response of the token endpoint (RFC 6749 5.2)."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


@dataclass(frozen=True)
class Grant:
    """Who a token is for, and the claims it carries besides iss, iat, exp and jti."""

    subject: str
    client_id: str
    audiences: tuple[str, ...]
    roles: tuple[str, ...]
    scopes: tuple[str, ...]  # the scope claim

    def claims(self, issuer: str, now: float | None = None) -> dict[str, Any]:
        issued = int(time.time() if now is None else now)
        claims: dict[str, Any] = {"iss": issuer, "sub": self.subject, "typ": "Bearer", "azp": self.client_id,
                                  "iat": issued, "exp": issued + names.ACCESS_TOKEN_LIFESPAN_S,
                                  "jti": str(uuid.uuid4())}
        if self.audiences:  # as Keycloak writes it: one audience as a string, several as a list
            claims["aud"] = self.audiences[0] if len(self.audiences) == 1 else list(self.audiences)
        claims["realm_access"] = {"roles": list(self.roles)}
        claims["scope"] = " ".join(self.scopes)
        return claims


class Contract:
    """The grants of one realm in one environment; secrets (client secrets, passwords) by variable name."""

    def __init__(self, identity: Identity, environment: Environment, secrets: Mapping[str, str]) -> None:
        self.identity = identity
        self.environment = environment
        self._secrets = secrets

    def client_credentials(self, client_id: str, secret: str | None, scope: str) -> Grant:
        client = self.identity.client_by_id(client_id)
        if client is None or client.secret_env is None:
            raise OAuthError(401, "invalid_client", f"client {client_id!r} has no service account")
        if not secret or secret != self._secrets.get(client.secret_env):
            raise OAuthError(401, "invalid_client", "invalid client credentials")
        requested = _scopes(scope)
        unknown = [s for s in requested if s not in (*client.callees, names.BASIC_SCOPE, names.ROLES_SCOPE)]
        if unknown:
            raise OAuthError(400, "invalid_scope", f"invalid scopes: {' '.join(unknown)}")
        audiences = tuple(s for s in requested if s in client.callees)
        assert client.service_account_id is not None
        return Grant(client.service_account_id, client.client_id, audiences, client.roles, audiences)

    def password(self, client_id: str, username: str, password: str, scope: str) -> Grant:
        if client_id != self.identity.public_client_id:
            raise OAuthError(401, "unauthorized_client", f"client {client_id!r} may not use the password grant")
        if not self.environment.dev_users:
            raise OAuthError(400, "unauthorized_client", "this environment declares no dev users")
        user = next((u for u in self.environment.dev_users if u.name == username), None)
        if user is None or not password or password != self._secrets.get(user.password_env):
            raise OAuthError(401, "invalid_grant", "Invalid user credentials")
        requested = _scopes(scope)
        unknown = [s for s in requested if s not in (*self.identity.scopes, "openid")]
        if unknown:
            raise OAuthError(400, "invalid_scope", f"invalid scopes: {' '.join(unknown)}")
        roles = tuple(r for r in user.roles if r in self.identity.roles)
        granted = tuple(s for s in requested if s in (*self.identity.scopes, "openid"))
        return Grant(user.subject, client_id, self.identity.user_audiences, roles,
                     self.identity.user_audiences + granted)


def _scopes(scope: str) -> list[str]:
    return list(dict.fromkeys(scope.split()))
