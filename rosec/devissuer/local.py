"""The local issuer of `rosec run`: started before the services, on the port where the services of a local run
expect the realm (Keycloak's published port, shifted by the run's port offset).

Its values come from the same layers as the services' variables: the realm's signing key
(OIDC_SIGNING_PRIVATE_KEY) and the clients' secrets when an env file or the environment gives them, else fresh
ones for this run; the dev users' passwords always from there (a person types them).
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence

from rosec.devissuer.keys import SigningKey
from rosec.devissuer.server import DevIssuer, IssuerRefusedError
from rosec.model import identity as names
from rosec.model.deployments import local_issuer_port, local_oidc_urls
from rosec.model.system import System


class IssuerError(RuntimeError):
    """The local issuer cannot start; the message is meant for the user."""


def generated_secrets(system: System) -> dict[str, str]:
    """Fresh client secrets for this run, under the secrets' names: the lowest layer, so that an env file or the
    environment wins (and `rosec token --client` can use the same value)."""
    if system.identity is None:
        return {}
    return {c.secret_env: secrets.token_urlsafe(24) for c in system.identity.clients if c.secret_env}


def merged(layers: Sequence[Mapping[str, str]]) -> dict[str, str]:
    values: dict[str, str] = {}
    for layer in layers:
        values.update(layer)
    return values


@contextlib.contextmanager
def local_issuer(system: System, layers: Sequence[Mapping[str, str]], port_offset: int = 0, *,
                 enabled: bool = True, say: Callable[[str], None] | None = None) -> Iterator[DevIssuer | None]:
    """The issuer of a local run of `system`, serving until the block ends; None when disabled or without
    identity. IssuerError when it cannot start."""
    if not enabled or system.identity is None:
        yield None
        return
    issuer = start(system, merged(layers), port_offset)
    if say:
        say(f"local issuer {issuer.issuer} on 127.0.0.1:{issuer.port} (dev users: "
            f"{', '.join(u.name for u in issuer.contract.environment.dev_users) or 'none'})")
    try:
        yield issuer
    finally:
        issuer.close()


def start(system: System, values: Mapping[str, str], port_offset: int = 0, port: int | None = None) -> DevIssuer:
    """Start the issuer (on `port`, default the local run's issuer port)."""
    environment = system.compose_environment
    urls = local_oidc_urls(system, port_offset)
    if environment is None or urls is None:
        raise IssuerError(f"system {system.name} has no compose environment whose realm a local issuer could "
                          "stand in for")
    missing = [u.password_env for u in environment.dev_users if not values.get(u.password_env)]
    if missing:
        raise IssuerError("missing secrets; set them in the environment or in an --env-file:\n" +
                          "\n".join(f"  {name}: the password of a dev user of {environment.name}" for name in missing))
    try:
        key = SigningKey.from_pem(values[names.SIGNING_PRIVATE_KEY_ENV]) \
            if values.get(names.SIGNING_PRIVATE_KEY_ENV) else SigningKey.generate()
    except ValueError as error:
        raise IssuerError(f"{names.SIGNING_PRIVATE_KEY_ENV} is not a PEM RSA private key: {error}") from None
    chosen = local_issuer_port(port_offset) if port is None else port
    try:
        return DevIssuer(system, environment, key, values, issuer=urls.issuer, port=chosen).start()
    except IssuerRefusedError as refused:
        raise IssuerError(str(refused)) from None
    except OSError as error:
        raise IssuerError(f"the local issuer cannot listen on 127.0.0.1:{chosen} ({error.strerror or error}); "
                          "if the compose environment's Keycloak runs there, use it: --no-issuer") from None
