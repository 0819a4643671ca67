"""The realm's client scopes: `basic` (sub) and `roles` (realm_access.roles), which a realm that declares its own
scopes must carry itself (Keycloak creates its built-in scopes only for a realm that declares none), one audience
scope per service whose API needs a token, and the spec's own scopes."""

from __future__ import annotations

from typing import Any

from rosec.model.identity import BASIC_SCOPE, ROLES_SCOPE, Identity

OIDC = "openid-connect"
AUDIENCE_MAPPER = "oidc-audience-mapper"
SUB_MAPPER = "oidc-sub-mapper"
REALM_ROLES_MAPPER = "oidc-usermodel-realm-role-mapper"


def client_scopes(identity: Identity) -> list[dict[str, Any]]:
    scopes = [
        _scope(BASIC_SCOPE, "The token's subject (sub)", False, [_mapper("sub", SUB_MAPPER, {})]),
        _scope(ROLES_SCOPE, "The user's realm roles (realm_access.roles)", False, [_mapper(
            "realm roles", REALM_ROLES_MAPPER, {"claim.name": "realm_access.roles", "jsonType.label": "String",
                                                "multivalued": "true", "id.token.claim": "false"})]),
    ]
    for client in identity.clients:
        if client.audience:
            scopes.append(_scope(client.audience_scope, f"Tokens for service {client.service} ({client.client_id})",
                                 True, [_mapper(f"audience {client.client_id}", AUDIENCE_MAPPER, {
                                     "included.client.audience": client.client_id, "id.token.claim": "false"})]))
    scopes += [_scope(name, f"OAuth scope {name}", True, [], consent=True) for name in identity.scopes]
    return scopes


def _scope(name: str, description: str, in_token: bool, mappers: list[dict[str, Any]],
           consent: bool = False) -> dict[str, Any]:
    scope: dict[str, Any] = {
        "name": name,
        "description": description,
        "protocol": OIDC,
        "attributes": {"include.in.token.scope": str(in_token).lower(),
                       "display.on.consent.screen": str(consent).lower()},
    }
    if mappers:
        scope["protocolMappers"] = mappers
    return scope


def _mapper(name: str, kind: str, config: dict[str, str]) -> dict[str, Any]:
    return {"name": name, "protocol": OIDC, "protocolMapper": kind, "consentRequired": False,
            "config": {"access.token.claim": "true", "introspection.token.claim": "true", **config}}
