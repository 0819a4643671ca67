"""The identity provider of the model: the realm, its roles and scopes."""

from __future__ import annotations

from dataclasses import dataclass

from rosec.spec.models import RoseSpec


@dataclass(frozen=True)
class Identity:
    realm: str
    roles: tuple[str, ...]
    scopes: tuple[str, ...]


def build_identity(spec: RoseSpec) -> Identity | None:
    if spec.identity is None:
        return None
    return Identity(spec.identity.realm, tuple(spec.identity.roles), tuple(spec.identity.scopes))
