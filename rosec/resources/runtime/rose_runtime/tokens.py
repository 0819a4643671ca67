"""Tokens this service obtains for the services it calls: the OAuth 2.0 client-credentials grant.

Each call to a peer presents a token issued to this service's own client, for the peer's audience (the scope
named like the peer's client id, which the realm's audience mapper turns into `aud`). A token is cached per
audience until shortly before it expires; concurrent calls share one request to the token endpoint.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import httpx

from .errors import Problem

REFRESH_MARGIN = 30.0  # seconds before expiry that a cached token is replaced
DEFAULT_TIMEOUT = 5.0

_log = logging.getLogger("rose.tokens")


class TokenSource(Protocol):
    """Where the clients get this service's token for a peer's audience (ClientCredentials, or a test's own);
    None: no token, the call goes without one."""

    async def token(self, audience: str) -> str | None: ...


@dataclass(frozen=True)
class _Cached:
    value: str
    refresh_at: float  # monotonic time from which a new token is fetched


class ClientCredentials:
    """Access tokens of one client, per audience, from the token endpoint (client_secret_basic)."""

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        margin: float = REFRESH_MARGIN,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self.margin = margin
        self._clock = clock
        self._cache: dict[str, _Cached] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._http = httpx.AsyncClient(
            timeout=timeout, transport=transport, auth=httpx.BasicAuth(client_id, client_secret)
        )
        self.fetches = 0  # requests made to the token endpoint

    async def token(self, audience: str) -> str:
        """A token for `audience`: the cached one while it is fresh, else a new one."""
        cached = self._fresh(audience)
        if cached is not None:
            return cached
        async with self._locks.setdefault(audience, asyncio.Lock()):
            cached = self._fresh(audience)  # another call may have fetched it meanwhile
            if cached is not None:
                return cached
            entry = await self._fetch(audience)
            self._cache[audience] = entry
            return entry.value

    def _fresh(self, audience: str) -> str | None:
        entry = self._cache.get(audience)
        return entry.value if entry is not None and self._clock() < entry.refresh_at else None

    async def _fetch(self, audience: str) -> _Cached:
        self.fetches += 1
        started = self._clock()
        try:
            response = await self._http.post(
                self.token_url, data={"grant_type": "client_credentials", "scope": audience}
            )
        except httpx.HTTPError as error:
            _log.warning("token endpoint %s could not be reached: %r", self.token_url, error)
            raise _unavailable(audience, "the identity provider cannot be reached") from error
        if response.status_code != 200:
            _log.error(
                "token endpoint refused client %s for %s: %s %s",
                self.client_id,
                audience,
                response.status_code,
                response.text[:200],
            )
            raise _unavailable(
                audience, f"the identity provider refused this service's client ({response.status_code})"
            )
        value, lifetime = _parse(response)
        if value is None:
            raise _unavailable(audience, "the identity provider answered without a usable token")
        return _Cached(value, started + lifetime - min(self.margin, lifetime / 2))

    async def aclose(self) -> None:
        await self._http.aclose()


def _parse(response: httpx.Response) -> tuple[str | None, float]:
    """The access token and its lifetime in seconds from a token response (RFC 6749 5.1)."""
    try:
        body = response.json()
    except ValueError:
        return None, 0.0
    if not isinstance(body, dict):
        return None, 0.0
    token, expires_in = body.get("access_token"), body.get("expires_in")
    if not isinstance(token, str) or not token:
        return None, 0.0
    lifetime = float(expires_in) if isinstance(expires_in, int | float) and expires_in > 0 else 60.0
    return token, lifetime


def _unavailable(audience: str, detail: str) -> Problem:
    return Problem(503, "Service Unavailable", f"cannot obtain a token for {audience}: {detail}")
