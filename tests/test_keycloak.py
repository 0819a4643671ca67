"""The Keycloak target: the realm of every environment against RealmRepresentation of the Keycloak 26.6 admin
OpenAPI made strict (additionalProperties: false in every object schema), semantic assertions, and the token
contract: the claims Keycloak would put into a token for this realm (emulated from the realm file's clients,
scopes, mappers, scope mappings and users) are the claims the local development issuer puts into its tokens."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import shared_schema, system_from_text

from rosec.devissuer.contract import Contract
from rosec.emit.serialize import to_json
from rosec.model import identity
from rosec.model.environments import Environment
from rosec.model.system import System
from rosec.spec.credentials import credential_kind
from rosec.targets import keycloak
from rosec.targets.compose import render as compose_render
from rosec.targets.keycloak import realm

PLACEHOLDER = re.compile(r"^\$\{([A-Z][A-Z0-9_]*)\}$")

SYNTHETIC = """
rose: 1
system: { name: lab, domain: lab.example.com }
environments:
  dev:
    hosting: compose
    dev_users:
      - { name: rita, roles: [reader], password: RITA_PASSWORD }
      - { name: will, roles: [reader, writer], password: WILL_PASSWORD }
  staging:
    hosting: kubernetes
    kubernetes: { registry: registry.lab.example.com/team, ingress: { class_name: nginx }, tls: { issuer: le } }
    allow_dev_users: true
    cors_origins: ["https://app.lab.example.com"]
    dev_users:
      - { name: tester, roles: [writer], password: STAGING_TESTER_PASSWORD }
  prod: { hosting: aws, region: us-east-1 }
identity: { realm: lab, roles: [reader, writer, auditor], scopes: [lab.export] }
messages:
  Doc: { fields: { id: string } }
services:
  front:
    rest:
      - { method: GET, path: "/docs/{id}", response: Doc, roles: [reader] }
    calls: [store, audit]
    gateway: { path: /api/docs }
  store:
    internal: true
    rest:
      - { method: PUT, path: "/docs/{id}", request: Doc, response: Doc, roles: [writer, reader] }
      - { method: GET, path: "/docs/{id}", response: Doc }
  audit:
    grpc:
      - { name: Record, request: Doc, response: Doc, roles: [auditor] }
    calls: [store]
"""


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> System:
    return system_from_text(tmp_path_factory.mktemp("lab"), SYNTHETIC)


@pytest.fixture(params=["shop", "synthetic"])
def system(request: pytest.FixtureRequest) -> System:
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="module")
def strict_realm() -> jsonschema.Draft7Validator:
    components = copy.deepcopy(shared_schema("keycloak-admin-openapi.json")["components"])

    def close(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node and "additionalProperties" not in node:
                node["additionalProperties"] = False
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(components)
    return jsonschema.Draft7Validator({"$ref": "#/components/schemas/RealmRepresentation", "components": components})


def realms(system: System) -> list[tuple[Environment, dict[str, Any]]]:
    return [(env, realm(system, env)) for env in system.environments]


def strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for key, value in node.items() for s in (key, *strings(value))]
    if isinstance(node, list):
        return [s for value in node for s in strings(value)]
    return []


# --- the schema -----------------------------------------------------------------------------------------------

def test_every_realm_validates_against_the_strict_realm_representation(system: System,
                                                                     strict_realm: jsonschema.Draft7Validator) -> None:
    for env, document in realms(system):
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in strict_realm.iter_errors(document)]
        assert not errors, f"{env.name}:\n" + "\n".join(errors)


def test_the_strict_schema_catches_a_misspelt_field(shop: System, strict_realm: jsonschema.Draft7Validator) -> None:
    document = realm(shop, shop.environments[0])
    document["clients"][0]["clientID"] = document["clients"][0].pop("clientId")
    assert any("clientID" in e.message for e in strict_realm.iter_errors(document))


def test_the_target_writes_one_realm_per_environment(system: System) -> None:
    files = keycloak.render(system)
    assert system.identity is not None
    assert set(files) == {system.layout.keycloak_realm(e.name, system.identity.realm) for e in system.environments}
    for env, document in realms(system):
        assert files[system.layout.keycloak_realm(env.name, system.identity.realm)] == to_json(document)
    assert keycloak.render(system) == files


# --- semantics ------------------------------------------------------------------------------------------------

def by_client(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["clientId"]: c for c in document["clients"]}


def test_every_service_that_takes_part_in_calls_has_its_client(system: System) -> None:
    assert system.identity is not None
    for _, document in realms(system):
        clients = by_client(document)
        for service in system.services:
            needed = identity.needs_token(service) or any(system.service(p).client_id in clients for p in service.calls)
            assert (service.client_id in clients) == needed, service.name
        for client in clients.values():
            assert client["implicitFlowEnabled"] is False and client["fullScopeAllowed"] is False
        people = clients[system.identity.public_client_id]
        assert people["publicClient"] is True and people["standardFlowEnabled"] is True
        assert people["attributes"]["pkce.code.challenge.method"] == "S256"
        for entry in system.identity.clients:
            client = clients[entry.client_id]
            assert client["serviceAccountsEnabled"] == entry.calls_services
            assert client["standardFlowEnabled"] is False and client["directAccessGrantsEnabled"] is False


def test_every_audience_mapper_names_an_existing_client(system: System) -> None:
    for _, document in realms(system):
        clients = by_client(document)
        mappers = [m for scope in document["clientScopes"] for m in scope.get("protocolMappers", [])
                   if m["protocolMapper"] == "oidc-audience-mapper"]
        assert mappers
        for mapper in mappers:
            assert mapper["config"]["included.client.audience"] in clients
        scopes = {s["name"] for s in document["clientScopes"]}
        for client in clients.values():
            assert set(client["defaultClientScopes"]) | set(client["optionalClientScopes"]) <= scopes


def test_every_granted_role_exists(system: System) -> None:
    for _, document in realms(system):
        roles = {r["name"] for r in document["roles"]["realm"]}
        granted = [r for u in document["users"] for r in u["realmRoles"]]
        granted += [r for m in document["scopeMappings"] for r in m["roles"]]
        assert granted and set(granted) <= roles


def test_service_accounts_hold_exactly_what_their_calls_require(synthetic: System) -> None:
    document = realm(synthetic, synthetic.environments[0])
    accounts = {u["serviceAccountClientId"]: u["realmRoles"] for u in document["users"]
                if "serviceAccountClientId" in u}
    # front calls store (PUT needs writer or reader: writer, listed first) and audit (Record needs auditor)
    assert accounts == {"lab-front": ["writer", "auditor"], "lab-audit": ["writer"]}
    mappings = {m["client"]: m["roles"] for m in document["scopeMappings"]}
    assert mappings["lab-front"] == ["writer", "auditor"] and mappings["lab.web"] == ["reader", "writer", "auditor"]


def test_no_secret_value_anywhere_only_placeholders_that_compose_provides(system: System) -> None:
    compose_text = "\n".join(c.decode("utf-8") for c in compose_render(system).values())
    for env, document in realms(system):
        for value in strings(document):
            assert not credential_kind(value), value
            assert "BEGIN" not in value
        placeholders = [s for s in strings(document) if "${" in s]
        assert placeholders
        for value in placeholders:
            match = PLACEHOLDER.match(value)
            assert match, f"{value!r}: a placeholder is the whole value"
            if env.hosting == "compose":
                assert f"{match.group(1)}: ${{{match.group(1)}:?" in compose_text, match.group(1)
        secrets = [c["secret"] for c in document["clients"] if "secret" in c]
        secrets += [c["value"] for u in document["users"] for c in u.get("credentials", [])]
        secrets += [p["config"]["privateKey"][0] for p in document["components"]["org.keycloak.keys.KeyProvider"]
                    if "privateKey" in p["config"]]
        assert secrets and all(PLACEHOLDER.match(s) for s in secrets)


def test_users_and_the_password_grant_only_where_dev_users_are_declared(system: System) -> None:
    assert system.identity is not None
    for env, document in realms(system):
        people = [u for u in document["users"] if "serviceAccountClientId" not in u]
        assert [u["username"] for u in people] == [u.name for u in env.dev_users]
        for user in people:
            assert user["credentials"][0]["temporary"] is False and user["requiredActions"] == []
            assert user["email"] and user["firstName"] and user["lastName"]  # no profile to complete at login
        assert by_client(document)[system.identity.public_client_id]["directAccessGrantsEnabled"] == bool(people)


def test_the_realm_is_hardened_and_signs_with_the_environments_key(system: System) -> None:
    for _, document in realms(system):
        assert document["sslRequired"] == "external" and document["bruteForceProtected"] is True
        assert document["accessTokenLifespan"] == identity.ACCESS_TOKEN_LIFESPAN_S <= 300
        assert document["registrationAllowed"] is False and document["revokeRefreshToken"] is True
        providers = {p["providerId"]: p["config"] for p in document["components"]["org.keycloak.keys.KeyProvider"]}
        assert set(providers) == {"rsa", "hmac-generated", "aes-generated", "rsa-enc-generated"}
        assert providers["rsa"]["privateKey"] == [f"${{{identity.SIGNING_PRIVATE_KEY_ENV}}}"]
        assert providers["rsa"]["algorithm"] == ["RS256"] and providers["rsa"]["keyUse"] == ["sig"]
        basic = next(s for s in document["clientScopes"] if s["name"] == identity.BASIC_SCOPE)
        assert [m["protocolMapper"] for m in basic["protocolMappers"]] == ["oidc-sub-mapper"]
        assert document["defaultDefaultClientScopes"] == [identity.BASIC_SCOPE, identity.ROLES_SCOPE]


def test_redirect_uris_and_origins_follow_each_environment(synthetic: System) -> None:
    assert synthetic.identity is not None
    uris = {env.name: by_client(doc)[synthetic.identity.public_client_id] for env, doc in realms(synthetic)}
    assert uris["dev"]["redirectUris"] == ["http://localhost:8000/*", "http://127.0.0.1/*"]
    assert uris["staging"]["webOrigins"] == ["https://lab.example.com", "https://app.lab.example.com"]
    assert uris["prod"]["redirectUris"] == ["https://lab.example.com/*", "http://127.0.0.1/*"]


# --- the token contract ---------------------------------------------------------------------------------------

class RealmEmulation:
    """The access token claims Keycloak issues for a realm import file, for the mappers this realm uses."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.clients = by_client(document)
        self.scopes = {s["name"]: s for s in document["clientScopes"]}
        self.users = document["users"]
        self.mappings = {m["client"]: m["roles"] for m in document["scopeMappings"]}

    def claims(self, client_id: str, requested: list[str], username: str | None = None) -> dict[str, Any]:
        client = self.clients[client_id]
        unknown = [s for s in requested if s not in client["optionalClientScopes"] + client["defaultClientScopes"]]
        assert not unknown, f"Keycloak would refuse scopes {unknown}"
        used = [*client["defaultClientScopes"], *(s for s in requested if s in client["optionalClientScopes"])]
        user = next(u for u in self.users if (u["username"] == username if username
                                              else u.get("serviceAccountClientId") == client_id))
        claims: dict[str, Any] = {"azp": client_id}
        audiences: list[str] = []
        for name in used:
            for mapper in self.scopes[name].get("protocolMappers", []):
                kind = mapper["protocolMapper"]
                if kind == "oidc-sub-mapper":
                    claims["sub"] = user["id"]
                elif kind == "oidc-audience-mapper":
                    audiences.append(mapper["config"]["included.client.audience"])
                elif kind == "oidc-usermodel-realm-role-mapper":
                    allowed = user["realmRoles"] if client["fullScopeAllowed"] else self.mappings.get(client_id, [])
                    claims["realm_access"] = {"roles": [r for r in user["realmRoles"] if r in allowed]}
        if audiences:
            claims["aud"] = audiences[0] if len(audiences) == 1 else audiences
        claims["scope"] = " ".join(n for n in used if self.scopes[n]["attributes"]["include.in.token.scope"] == "true")
        return claims


def test_the_local_issuer_grants_what_the_realm_grants(system: System) -> None:
    environment = system.compose_environment
    assert environment is not None and system.identity is not None
    emulation = RealmEmulation(realm(system, environment))
    secrets = {c.secret_env: f"secret-of-{c.service}" for c in system.identity.clients if c.secret_env}
    secrets |= {u.password_env: f"password-of-{u.name}" for u in environment.dev_users}
    contract = Contract(system.identity, environment, secrets)
    compared = 0
    for client in system.identity.clients:
        assert client.secret_env is not None or not client.callees
        for requested in ([c] for c in client.callees):
            grant = contract.client_credentials(client.client_id, secrets.get(client.secret_env or ""),
                                                " ".join(requested))
            issued = {k: v for k, v in grant.claims("iss").items() if k in ("azp", "sub", "aud", "realm_access",
                                                                             "scope")}
            assert issued == emulation.claims(client.client_id, requested), client.client_id
            compared += 1
    for user in environment.dev_users:
        for requested in ([], list(system.identity.scopes)):
            grant = contract.password(system.identity.public_client_id, user.name, secrets[user.password_env],
                                      " ".join(requested))
            issued = {k: v for k, v in grant.claims("iss").items() if k in ("azp", "sub", "aud", "realm_access",
                                                                             "scope")}
            assert issued == emulation.claims(system.identity.public_client_id, requested, user.name), user.name
            compared += 1
    assert compared >= 4


def test_the_realm_files_are_json_that_keycloak_reads(shop: System, tmp_path: Path) -> None:
    files = keycloak.render(shop)
    for content in files.values():
        assert json.loads(content)["realm"] == "shop"
        assert content.endswith(b"\n")
