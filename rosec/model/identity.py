"""The identity provider of the model: the realm, its roles and scopes, one client per service that takes part in
service-to-service calls, the client people log in with, dev users, and the names of the secrets that the realm,
the gateway and the services read. The Keycloak realm, the gateway's jwt credential, the services' variables and
the local development issuer (`rosec run`) all read these values, so that they agree by construction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from rosec.model.services import Service, callers_by_service
from rosec.spec.models import DevUserSpec, RoseSpec

ALGORITHM = "RS256"
SIGNING_PRIVATE_KEY_ENV = "OIDC_SIGNING_PRIVATE_KEY"  # PKCS#8 PEM: the realm's rsa key provider
SIGNING_PUBLIC_KEY_ENV = "OIDC_SIGNING_PUBLIC_KEY"  # SubjectPublicKeyInfo PEM: the gateway's jwt credential
ACCESS_TOKEN_LIFESPAN_S = 300
BASIC_SCOPE = "basic"  # since Keycloak 25 the `sub` claim comes from this scope's mapper
ROLES_SCOPE = "roles"  # realm roles into realm_access.roles
SERVICE_ACCOUNT_PREFIX = "service-account-"  # Keycloak names a client's service account user so
PUBLIC_CLIENT_SUFFIX = ".web"  # a dot: never the client id of a service (<system>-<service>)
_IDS = uuid.uuid5(uuid.NAMESPACE_URL, "https://rosec.dev/identity")  # namespace of the realm's fixed user ids


@dataclass(frozen=True)
class ServiceClient:
    """The realm's client of one service: the audience of the tokens it accepts, and, when it calls other
    services, a confidential client whose service account obtains tokens for them (client credentials)."""

    service: str
    client_id: str
    audience: bool  # its API needs a token: other clients may obtain tokens for it (scope `audience_scope`)
    secret_env: str | None  # the secret that holds its client secret; set when it calls a service
    roles: tuple[str, ...]  # realm roles of its service account: what the endpoints it calls require
    callees: tuple[str, ...]  # client ids it may obtain tokens for
    callers: tuple[str, ...]  # client ids of the services that call it
    internal: bool  # accepts tokens of its callers only
    service_account_id: str | None  # the `sub` of its own tokens

    @property
    def audience_scope(self) -> str:
        """The client scope that puts this client into a token's `aud`; a caller requests it by this name."""
        return self.client_id

    @property
    def calls_services(self) -> bool:
        return bool(self.callees)

    @property
    def service_account(self) -> str:
        return f"{SERVICE_ACCOUNT_PREFIX}{self.client_id}"


@dataclass(frozen=True)
class DevUser:
    """A person in the realm of one environment (dev_users)."""

    name: str
    roles: tuple[str, ...]
    password_env: str  # the secret that holds the password
    subject: str  # the user's id: `sub` of the user's tokens, the same in every environment
    email: str


@dataclass(frozen=True)
class Identity:
    realm: str
    roles: tuple[str, ...]
    scopes: tuple[str, ...]
    clients: tuple[ServiceClient, ...] = ()
    public_client_id: str = ""  # people log in with it (authorization code + PKCE)
    user_audiences: tuple[str, ...] = ()  # client ids in people's tokens: the services the gateway exposes

    def client(self, service: str) -> ServiceClient | None:
        return self.clients_by_service.get(service)

    def client_by_id(self, client_id: str) -> ServiceClient | None:
        return self.clients_by_id.get(client_id)

    # Indexes built on first use, as System's: each service looks up its own client.
    @cached_property
    def clients_by_service(self) -> dict[str, ServiceClient]:
        return {c.service: c for c in self.clients}

    @cached_property
    def clients_by_id(self) -> dict[str, ServiceClient]:
        return {c.client_id: c for c in self.clients}


def build_identity(spec: RoseSpec, services: tuple[Service, ...]) -> Identity | None:
    if spec.identity is None:
        return None
    system, realm = spec.system.name, spec.identity.realm
    by_name = {s.name: s for s in services}
    audiences = {s.name for s in services if needs_token(s)}
    callers = callers_by_service(services)
    clients = []
    for service in services:
        callees = [by_name[p] for p in service.calls if p in audiences]
        if service.name not in audiences and not callees:
            continue
        clients.append(ServiceClient(
            service=service.name,
            client_id=service.client_id,
            audience=service.name in audiences,
            secret_env=client_secret_env(service) if callees else None,
            roles=service_account_roles(callees),
            callees=tuple(c.client_id for c in callees),
            callers=tuple(c.client_id for c in callers.get(service.name, ()) if service.name in audiences),
            internal=service.internal,
            service_account_id=fixed_id(system, realm, "service-account", service.client_id) if callees else None,
        ))
    exposed = tuple(s.client_id for s in services if s.gateway and s.name in audiences)
    return Identity(realm, tuple(spec.identity.roles), tuple(spec.identity.scopes), tuple(clients),
                    f"{system}{PUBLIC_CLIENT_SUFFIX}", exposed)


def needs_token(service: Service) -> bool:
    """Whether some endpoint or method of the service requires a token (the service is an audience)."""
    return any(not e.public for e in service.endpoints) or any(not m.public for m in service.grpc_methods)


def service_account_roles(callees: Iterable[Service]) -> tuple[str, ...]:
    """The realm roles a caller's service account needs: for every endpoint and method of its callees that
    requires roles, one of them; the first role listed unless the account holds one of the others already
    (list the least powerful role first). In the order granted."""
    granted: list[str] = []
    for callee in callees:
        operations = [*callee.endpoints, *callee.grpc_methods]
        for operation in operations:
            if operation.public or not operation.roles or set(operation.roles) & set(granted):
                continue
            granted.append(operation.roles[0])
    return tuple(granted)


def client_secret_env(service: Service) -> str:
    """The secret that holds the client secret of a calling service, e.g. ORDERS_CLIENT_SECRET."""
    return f"{service.env_prefix}_CLIENT_SECRET"


def fixed_id(system: str, realm: str, kind: str, name: str) -> str:
    """A user id that is the same on every machine and in every environment (uuid5), so that tokens name
    the same subject wherever the realm is imported."""
    return str(uuid.uuid5(_IDS, f"{system}/{realm}/{kind}/{name}"))


def dev_users(spec: RoseSpec, users: Iterable[DevUserSpec], domain: str) -> tuple[DevUser, ...]:
    if spec.identity is None:
        return ()
    system, realm = spec.system.name, spec.identity.realm
    return tuple(DevUser(u.name, tuple(u.roles), u.password, fixed_id(system, realm, "user", u.name),
                         f"{u.name}@{domain}") for u in users)


def realm_secrets(identity: Identity, users: Iterable[DevUser]) -> tuple[str, ...]:
    """The secrets the realm of an environment reads at import (its `${VARIABLE}` placeholders): the signing key,
    the calling services' client secrets, the dev users' passwords."""
    return tuple(dict.fromkeys([SIGNING_PRIVATE_KEY_ENV, *(c.secret_env for c in identity.clients if c.secret_env),
                                *(u.password_env for u in users)]))


def placeholder(variable: str) -> str:
    """How the realm file names a secret: Keycloak replaces ${VARIABLE} with the variable's value at import."""
    return f"${{{variable}}}"
