"""Bearer token verification (OIDC access tokens signed RS256) and role checks."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import jwt

from .errors import Problem

ALGORITHMS = ("RS256",)
LEEWAY_SECONDS = 30
ON_BEHALF_OF_HEADER = "X-Rose-On-Behalf-Of"  # a calling service names the caller it acts for (audit only)
ON_BEHALF_OF_METADATA = ON_BEHALF_OF_HEADER.lower()


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: a person, or a service (its client's service account).

    `on_behalf_of` is the subject that a calling service says it acts for (header X-Rose-On-Behalf-Of), kept
    only when the caller is one of the services that call this one (OIDC_CALLERS): for audit, never for
    authorization, which rests on the caller's own token.
    """

    subject: str
    roles: frozenset[str]
    token: str = field(repr=False)  # the raw access token
    client_id: str | None = None  # `azp`: the client the token was issued to
    on_behalf_of: str | None = None

    @property
    def acting_for(self) -> str:
        """Whom the calls this principal causes are made for: its own caller, else itself."""
        return self.on_behalf_of or self.subject


def unauthorized(detail: str, *, invalid_token: bool = True) -> Problem:
    """401 with the RFC 6750 challenge (no error code when the request carried no token at all)."""
    challenge = 'Bearer error="invalid_token"' if invalid_token else "Bearer"
    return Problem(401, "Unauthorized", detail, headers={"WWW-Authenticate": challenge})


def forbidden(detail: str) -> Problem:
    return Problem(403, "Forbidden", detail, headers={"WWW-Authenticate": 'Bearer error="insufficient_scope"'})


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` value, or None when there is none."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


class TokenVerifier:
    """Verifies access tokens against the identity provider's JWKS: RS256 signature, iss, aud, exp.

    The key set is fetched in a worker thread (PyJWKClient is synchronous), cached for `jwks_lifespan`
    seconds, and fetched again when a token names an unknown key id (at most once per `refresh_cooldown`).
    `callers` are the client ids of the services that call this one; with `callers_only` (an internal service)
    a token issued to any other client is refused with 403.
    """

    def __init__(
        self,
        issuer: str,
        audience: str,
        jwks_url: str,
        *,
        leeway: float = LEEWAY_SECONDS,
        jwks_lifespan: float = 300.0,
        refresh_cooldown: float = 10.0,
        timeout: float = 5.0,
        callers: Iterable[str] = (),
        callers_only: bool = False,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.jwks_url = jwks_url
        self.leeway = leeway
        self.callers = frozenset(callers)
        self.callers_only = callers_only
        # Only the key set is cached, with a lifespan, so a key the provider withdraws stops verifying;
        # PyJWKClient's per-kid cache (cache_keys) never expires and is left off on purpose.
        self._jwks = jwt.PyJWKClient(
            jwks_url, cache_jwk_set=True, lifespan=jwks_lifespan, timeout=timeout, cooldown_duration=refresh_cooldown
        )

    async def verify(self, token: str) -> Principal:
        """The principal the token names; Problem 401 when it is not valid, 503 when the keys cannot be fetched."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as error:
            raise unauthorized(f"malformed token: {error}") from None
        if header.get("alg") not in ALGORITHMS:
            raise unauthorized(f"token algorithm {header.get('alg')!r} is not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise unauthorized("token has no key id (kid)")
        try:
            key = await asyncio.to_thread(self._jwks.get_signing_key, kid)
        except jwt.PyJWKClientConnectionError as error:
            raise Problem(
                503, "Service Unavailable", "the identity provider's signing keys cannot be fetched"
            ) from error
        except jwt.PyJWKClientError:
            raise unauthorized("token is signed with an unknown key") from None
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=list(ALGORITHMS),
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise unauthorized("token has expired") from None
        except jwt.InvalidTokenError as error:
            raise unauthorized(f"invalid token: {error}") from None
        client_id = claims.get("azp") if isinstance(claims.get("azp"), str) else None
        if self.callers_only and client_id not in self.callers:
            raise forbidden(f"only the services that call {self.audience} may call it")
        return Principal(subject=str(claims["sub"]), roles=roles_of(claims), token=token, client_id=client_id)

    def trusts(self, principal: Principal) -> bool:
        """Whether the principal is one of the services that call this one (its word on whom it acts for counts)."""
        return principal.client_id is not None and principal.client_id in self.callers


def roles_of(claims: Mapping[str, Any]) -> frozenset[str]:
    """Realm roles of a Keycloak access token (`realm_access.roles`); malformed claims give no roles."""
    realm_access = claims.get("realm_access")
    roles = realm_access.get("roles") if isinstance(realm_access, Mapping) else None
    if not isinstance(roles, list):
        return frozenset()
    return frozenset(r for r in roles if isinstance(r, str))


def authorize(principal: Principal, roles: Iterable[str]) -> Principal:
    """Any authenticated principal when `roles` is empty, else one holding at least one of them (403 otherwise)."""
    required = frozenset(roles)
    if required and not required & principal.roles:
        raise forbidden(f"requires one of the roles: {', '.join(sorted(required))}")
    return principal


async def authenticate(
    verifier: TokenVerifier | None,
    authorization: str | None,
    roles: Iterable[str],
    public: bool,
    on_behalf_of: str | None = None,
) -> Principal | None:
    """The caller of an operation: None for public operations, else a verified and authorized principal.

    Without a verifier (a system without identity) every non-public operation fails closed with 401.
    `on_behalf_of` (the X-Rose-On-Behalf-Of header) is kept when the verifier trusts the caller.
    """
    if public:
        return None
    if verifier is None:
        raise unauthorized("this service has no identity provider configured", invalid_token=False)
    token = bearer_token(authorization)
    if token is None:
        raise unauthorized("a bearer token is required", invalid_token=False)
    principal = authorize(await verifier.verify(token), roles)
    if on_behalf_of and verifier.trusts(principal):
        principal = replace(principal, on_behalf_of=on_behalf_of.strip()[:256])
    return principal
