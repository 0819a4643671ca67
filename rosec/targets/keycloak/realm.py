"""The realm import of one environment (RealmRepresentation, Keycloak 26)."""

from __future__ import annotations

from typing import Any

from rosec.model import identity as names
from rosec.model.environments import Environment
from rosec.model.identity import Identity, placeholder
from rosec.model.system import System
from rosec.targets.keycloak.clients import clients, scope_mappings
from rosec.targets.keycloak.scopes import client_scopes

KEY_PROVIDER = "org.keycloak.keys.KeyProvider"
PRIORITY = "100"
SSO_IDLE_S = 1800
SSO_MAX_S = 36000
EVENTS_EXPIRATION_S = 7 * 24 * 3600
PASSWORD_POLICY = "length(12) and notUsername and notEmail"


def realm(system: System, environment: Environment) -> dict[str, Any]:
    """The realm of `environment`: roles, scopes, clients, service accounts and dev users, the signing key from the
    environment. Per environment: redirect URIs and web origins, the password grant and the users."""
    identity = system.identity
    assert identity is not None
    return {
        "realm": identity.realm,
        "enabled": True,
        "displayName": system.description or system.name,
        **_policies(),
        "roles": {"realm": [{"name": r, "description": f"Role {r} of {system.name}"} for r in identity.roles]},
        "clientScopes": client_scopes(identity),
        "defaultDefaultClientScopes": [names.BASIC_SCOPE, names.ROLES_SCOPE],
        "defaultOptionalClientScopes": [],
        "clients": clients(system, environment),
        "scopeMappings": scope_mappings(identity),
        "users": _service_accounts(identity) + _dev_users(environment),
        "components": {KEY_PROVIDER: _key_providers()},
    }


def _policies() -> dict[str, Any]:
    """Sessions, tokens, logins and events: short-lived access tokens, refresh tokens used once, brute-force
    protection, TLS required for every address but private ones, no self-registration."""
    return {
        "sslRequired": "external",
        "registrationAllowed": False,
        "resetPasswordAllowed": False,
        "rememberMe": False,
        "editUsernameAllowed": False,
        "loginWithEmailAllowed": True,
        "duplicateEmailsAllowed": False,
        "bruteForceProtected": True,
        "permanentLockout": False,
        "failureFactor": 5,
        "waitIncrementSeconds": 60,
        "maxFailureWaitSeconds": 900,
        "accessTokenLifespan": names.ACCESS_TOKEN_LIFESPAN_S,
        "accessCodeLifespan": 60,
        "ssoSessionIdleTimeout": SSO_IDLE_S,
        "ssoSessionMaxLifespan": SSO_MAX_S,
        "revokeRefreshToken": True,
        "refreshTokenMaxReuse": 0,
        "defaultSignatureAlgorithm": names.ALGORITHM,
        "passwordPolicy": PASSWORD_POLICY,
        "eventsEnabled": True,
        "eventsExpiration": EVENTS_EXPIRATION_S,
        "adminEventsEnabled": True,
        "adminEventsDetailsEnabled": False,
    }


def _service_accounts(identity: Identity) -> list[dict[str, Any]]:
    return [{"id": c.service_account_id, "username": c.service_account, "enabled": True,
             "serviceAccountClientId": c.client_id, "realmRoles": list(c.roles)}
            for c in identity.clients if c.calls_services]


def _dev_users(environment: Environment) -> list[dict[str, Any]]:
    return [{
        "id": u.subject,
        "username": u.name,
        "enabled": True,
        "email": u.email,
        "emailVerified": True,
        "firstName": u.name,
        "lastName": f"({environment.name})",
        "realmRoles": list(u.roles),
        "credentials": [{"type": "password", "value": placeholder(u.password_env), "temporary": False}],
        "requiredActions": [],
    } for u in environment.dev_users]


def _key_providers() -> list[dict[str, Any]]:
    """The realm's keys: the RS256 signing key from the environment (the same pair the gateway verifies against),
    and the keys Keycloak generates itself for what stays inside it (HS512 for its own tokens, AES, RSA-OAEP).
    A realm that names any key provider gets no default ones, so all four are listed."""
    def provider(name: str, provider_id: str, **config: str) -> dict[str, Any]:
        values = {"priority": PRIORITY, "enabled": "true", "active": "true", **config}
        return {"name": name, "providerId": provider_id, "subComponents": {},
                "config": {key: [value] for key, value in values.items()}}

    return [
        provider("rosec-rs256", "rsa", privateKey=placeholder(names.SIGNING_PRIVATE_KEY_ENV), keyUse="sig",
                 algorithm=names.ALGORITHM),
        provider("hmac-generated-hs512", "hmac-generated", algorithm="HS512"),
        provider("aes-generated", "aes-generated"),
        provider("rsa-enc-generated", "rsa-enc-generated", keyUse="enc", algorithm="RSA-OAEP"),
    ]
