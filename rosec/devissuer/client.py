"""`rosec token`: ask the realm's token endpoint of a local run (the local issuer, or the compose environment's
Keycloak on its published port) for a token, as a person (password grant) or as a calling service (client
credentials)."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from typing import Any

import jwt

from rosec.model.deployments import local_oidc_urls
from rosec.model.system import System

TIMEOUT_S = 10


class TokenError(Exception):
    """No token; the message is meant for the user."""


def request_token(system: System, values: Mapping[str, str], *, user: str | None = None, client: str | None = None,
                  audiences: Iterable[str] = (), port_offset: int = 0, claim: str | None = None) -> str:
    """The access token (or one claim of it) for a dev user or a service's client."""
    urls = local_oidc_urls(system, port_offset)
    environment = system.compose_environment
    if urls is None or system.identity is None or environment is None:
        raise TokenError(f"system {system.name} has no identity and compose environment to get a token from")
    if user is not None:
        found = next((u for u in environment.dev_users if u.name == user), None)
        if found is None:
            known = ", ".join(u.name for u in environment.dev_users) or "none"
            raise TokenError(f"no dev user {user!r} in environment {environment.name} (dev users: {known})")
        form = {"grant_type": "password", "client_id": system.identity.public_client_id, "username": user,
                "password": _secret(values, found.password_env, f"the password of {user}")}
        authorization = None
    else:
        form, authorization = _client_form(system, values, client or "", list(audiences))
    token = _post(urls.token, form, authorization)
    return token if claim is None else _claim(token, claim)


def _client_form(system: System, values: Mapping[str, str], service: str,
                 audiences: list[str]) -> tuple[dict[str, str], str]:
    assert system.identity is not None
    client = system.identity.client(service)
    if client is None or client.secret_env is None:
        callers = ", ".join(c.service for c in system.identity.clients if c.secret_env) or "none"
        raise TokenError(f"service {service!r} calls no service, so it has no client credentials "
                         f"(services that do: {callers})")
    wanted = [system.service(a).client_id if a in system.services_by_name else a for a in audiences]
    unknown = [a for a in wanted if a not in client.callees]
    if unknown:
        raise TokenError(f"{service} does not call {', '.join(unknown)}; it calls: "
                         f"{', '.join(c.removeprefix(system.name + '-') for c in client.callees)}")
    secret = _secret(values, client.secret_env, f"the client secret of {service}")
    basic = base64.b64encode(f"{client.client_id}:{secret}".encode()).decode("ascii")
    return {"grant_type": "client_credentials", "scope": " ".join(wanted or client.callees)}, f"Basic {basic}"


def _secret(values: Mapping[str, str], name: str, what: str) -> str:
    value = values.get(name)
    if not value:
        raise TokenError(f"{name} ({what}) is not set: set it in the environment or give --env-file")
    return value


def _post(url: str, form: Mapping[str, str], authorization: str | None) -> str:
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode("ascii"), method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    if authorization:
        request.add_header("Authorization", authorization)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1, never a proxy
    try:
        with opener.open(request, timeout=TIMEOUT_S) as response:
            body: Any = json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise TokenError(f"{url} refused: {_description(error)}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise TokenError(f"no issuer answers at {url} ({reason}): is `rosec run` (or the compose environment) "
                         "running, with the same --port-offset?") from None
    token = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str):
        raise TokenError(f"{url} answered without an access token")
    return token


def _description(error: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(error.read())
    except ValueError:
        return f"HTTP {error.code}"
    return f"{body.get('error', error.code)}: {body.get('error_description', '')}".rstrip(": ")


def _claim(token: str, name: str) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    if name not in claims:
        raise TokenError(f"the token has no claim {name!r} (it has: {', '.join(sorted(claims))})")
    value = claims[name]
    return value if isinstance(value, str) else json.dumps(value)
