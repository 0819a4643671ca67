"""The realm's clients: one per service that takes part in service-to-service calls, and one for people.

A calling service's client is confidential, with its service account only (client credentials): its secret is
a placeholder, its default scopes give `sub` and the realm roles, and the audience scopes of the services it
calls are optional scopes, requested per call. A service that is only called gets a bearer-only client: the
audience of its tokens. People log in with the public client (authorization code with PKCE S256); the password
grant is on only in environments that declare dev users. No client sees more roles than its scope mappings allow
(fullScopeAllowed off).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from rosec.model.environments import Environment
from rosec.model.identity import BASIC_SCOPE, ROLES_SCOPE, Identity, ServiceClient, placeholder
from rosec.model.system import System
from rosec.targets.keycloak.scopes import OIDC

LOOPBACK_REDIRECT = "http://127.0.0.1/*"  # native apps and CLIs (RFC 8252: any port of the loopback interface)
_NO_DEVICE_GRANT = {"oauth2.device.authorization.grant.enabled": "false"}


def clients(system: System, environment: Environment) -> list[dict[str, Any]]:
    identity = system.identity
    assert identity is not None
    return [*(_service_client(system, c) for c in identity.clients), _public_client(system, identity, environment)]


def scope_mappings(identity: Identity) -> list[dict[str, Any]]:
    """The realm roles each client may put into its tokens."""
    mappings = [{"client": c.client_id, "roles": list(c.roles)} for c in identity.clients if c.roles]
    if identity.roles:
        mappings.append({"client": identity.public_client_id, "roles": list(identity.roles)})
    return mappings


def _base(client_id: str, name: str, description: str) -> dict[str, Any]:
    return {"clientId": client_id, "name": name, "description": description, "enabled": True, "protocol": OIDC,
            "fullScopeAllowed": False, "consentRequired": False, "implicitFlowEnabled": False,
            "frontchannelLogout": False}


def _service_client(system: System, client: ServiceClient) -> dict[str, Any]:
    entry = _base(client.client_id, client.service, system.service(client.service).description
                  or f"Service {client.service}")
    if not client.calls_services:
        return entry | {"bearerOnly": True, "publicClient": False, "standardFlowEnabled": False,
                        "directAccessGrantsEnabled": False, "serviceAccountsEnabled": False,
                        "defaultClientScopes": [], "optionalClientScopes": []}
    assert client.secret_env is not None
    identity = system.identity
    assert identity is not None
    callees = [identity.client_by_id(c) for c in client.callees]
    return entry | {
        "bearerOnly": False,
        "publicClient": False,
        "clientAuthenticatorType": "client-secret",
        "secret": placeholder(client.secret_env),
        "standardFlowEnabled": False,
        "directAccessGrantsEnabled": False,
        "serviceAccountsEnabled": True,
        "attributes": {"client_credentials.use_refresh_token": "false", **_NO_DEVICE_GRANT},
        "defaultClientScopes": [BASIC_SCOPE, ROLES_SCOPE],
        "optionalClientScopes": [c.audience_scope for c in callees if c is not None],
    }


def _public_client(system: System, identity: Identity, environment: Environment) -> dict[str, Any]:
    origins = list(dict.fromkeys([_origin(environment.public_url), *environment.cors_origins]))
    return _base(identity.public_client_id, f"{system.name} (people)",
                 "People log in with this client: authorization code with PKCE") | {
        "bearerOnly": False,
        "publicClient": True,
        "standardFlowEnabled": True,
        "directAccessGrantsEnabled": bool(environment.dev_users),  # dev users only: `rosec token --user`
        "serviceAccountsEnabled": False,
        "redirectUris": [*(f"{o}/*" for o in origins), LOOPBACK_REDIRECT],
        "webOrigins": origins,
        "attributes": {"pkce.code.challenge.method": "S256", "post.logout.redirect.uris": "+", **_NO_DEVICE_GRANT},
        "defaultClientScopes": [BASIC_SCOPE, ROLES_SCOPE, *identity.user_audiences],
        "optionalClientScopes": list(identity.scopes),
    }


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
