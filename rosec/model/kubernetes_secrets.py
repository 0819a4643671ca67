"""The Secrets of a kubernetes environment: where each secret variable of a service, of the gateway and of the
realm comes from (a Secret an operator writes, or one the team provides), and which Secrets the team provides.

The team provides its Secrets under the names of the compose environment's .env (by hand, or through an
ExternalSecret from the environment's store, remote key <prefix><VARIABLE>). The realm's signing key pair has a
Secret of its own, read by Keycloak (private key, at import) and by the gateway (public key); the calling
services' client secrets and the dev users' passwords share `<system>-identity`, which the realm import and the
services read, so that both sides of a client credential come from one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from rosec.model import identity
from rosec.model import kubernetes_names as names
from rosec.model.environments import Environment, EnvVar
from rosec.model.services import Service
from rosec.model.system import System

SENTRY_DSN = "SENTRY_DSN"


def service_secret(service: Service) -> str:
    """The Secret that holds a service's own `secrets` (keys: the variables' names)."""
    return f"{service.name}-secrets"


def sentry_secret(system: System) -> str:
    return f"{system.name}-sentry"


def messaging_user_secret(system: System) -> str:
    """The Secret the team provides for the broker's user (username, password): the User resource imports it."""
    return f"{system.name}-rabbitmq-user"


def logs_secret(system: System) -> str:
    """The passwords the Elastic setup sets (Logstash's writer, Grafana's reader, kibana_system), as in compose."""
    return f"{system.name}-logs"


def signing_key_secret(system: System) -> str:
    """The realm's signing key pair (keys OIDC_SIGNING_PRIVATE_KEY, OIDC_SIGNING_PUBLIC_KEY), one per environment."""
    return f"{system.name}-signing-key"


def identity_secret(system: System) -> str:
    """The calling services' client secrets and the dev users' passwords (keys: the variables' names)."""
    return f"{system.name}-identity"


def gateway_secret(system: System) -> str:
    """What the gateway reads besides the public key: the password of the Redis its nodes count requests in."""
    return f"{system.name}-gateway"


@dataclass(frozen=True)
class SecretRef:
    secret: str  # the Kubernetes Secret
    key: str
    optional: bool = False


def identity_secret_ref(system: System, variable: str) -> SecretRef:
    """Where a secret of the realm comes from: the signing key pair's Secret, or the identity Secret."""
    if variable in (identity.SIGNING_PRIVATE_KEY_ENV, identity.SIGNING_PUBLIC_KEY_ENV):
        return SecretRef(signing_key_secret(system), variable)
    return SecretRef(identity_secret(system), variable)


def realm_placeholders(system: System, environment: Environment) -> dict[str, SecretRef]:
    """Every `${VARIABLE}` of the environment's realm, and the Secret the realm import fills it in from."""
    assert system.identity is not None
    return {v: identity_secret_ref(system, v) for v in identity.realm_secrets(system.identity, environment.dev_users)}


def _client_secrets(system: System) -> frozenset[str]:
    return system.once(("client secrets",), lambda: frozenset(
        c.secret_env for c in system.identity.clients if c.secret_env) if system.identity else frozenset())


def secret_ref(system: System, service: Service, var: EnvVar) -> SecretRef:
    """Where a secret variable of a service comes from: a Secret an operator writes, or one the team provides."""
    assert var.secret is not None
    stores = system.postgres_by_password_env
    if var.secret in stores:
        return SecretRef(names.postgres_app_secret(stores[var.secret].name), "password")
    if system.messaging and var.secret == system.messaging.password_env:
        return SecretRef(names.rabbitmq_user_credentials(system.messaging.user), "password")
    if var.secret == SENTRY_DSN:
        return SecretRef(sentry_secret(system), SENTRY_DSN, optional=True)
    if var.secret in _client_secrets(system):
        return identity_secret_ref(system, var.secret)
    return SecretRef(service_secret(service), var.secret, optional=var.optional)


@dataclass(frozen=True)
class ProvidedSecret:
    """A Secret the team provides (by hand, or through an ExternalSecret from the environment's store)."""

    name: str
    variables: tuple[tuple[str, str], ...]  # (key in the Secret, secret variable: the remote key's name)
    literals: tuple[tuple[str, str], ...] = ()  # (key, value) that are no secret (a user name)
    optional: bool = False  # the workloads start without it


def service_provided_secret(service: Service) -> ProvidedSecret | None:
    if not service.secrets:
        return None
    return ProvidedSecret(service_secret(service), tuple((s, s) for s in service.secrets))


def platform_provided_secrets(system: System, environment: Environment) -> tuple[ProvidedSecret, ...]:
    """The Secrets of the platform chart that the team provides in `environment` (the logs' passwords aside)."""
    found = []
    if system.messaging:
        m = system.messaging
        found.append(ProvidedSecret(messaging_user_secret(system), (("password", m.password_env),),
                                    (("username", m.user),)))
    if system.identity:
        keys = (identity.SIGNING_PRIVATE_KEY_ENV, identity.SIGNING_PUBLIC_KEY_ENV)
        found.append(ProvidedSecret(signing_key_secret(system), tuple((k, k) for k in keys)))
        others = [v for v in identity.realm_secrets(system.identity, environment.dev_users) if v not in keys]
        if others:
            found.append(ProvidedSecret(identity_secret(system), tuple((v, v) for v in others)))
    redis = environment.gateway.redis
    if system.has_gateway and redis is not None and redis.password_env:
        found.append(ProvidedSecret(gateway_secret(system), ((redis.password_env, redis.password_env),)))
    if system.observability.sentry:
        found.append(ProvidedSecret(sentry_secret(system), ((SENTRY_DSN, SENTRY_DSN),), optional=True))
    return tuple(found)
