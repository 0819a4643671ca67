"""Datastores of the model: PostgreSQL databases and file volumes, with their derived names."""

from __future__ import annotations

from dataclasses import dataclass

from rosec.model import infrastructure, naming
from rosec.spec.models import DatastoreSpec, RoseSpec


@dataclass(frozen=True)
class Datastore:
    name: str
    engine: str  # postgres | volume
    version: str
    size_gb: int
    host: str
    port: int
    database: str
    user: str
    url_env: str
    password_env: str
    volume: str  # named volume (compose), PVC/EFS name
    mount_path: str  # where a file volume is mounted in services

    @property
    def is_postgres(self) -> bool:
        return self.engine == "postgres"


def build_datastores(spec: RoseSpec) -> tuple[Datastore, ...]:
    return tuple(_datastore(n, d) for n, d in spec.datastores.items())


def _datastore(name: str, store: DatastoreSpec) -> Datastore:
    prefix = naming.env_prefix(name)
    identifier = naming.python_identifier(name)
    is_postgres = store.engine.value == "postgres"
    return Datastore(
        name=name,
        engine=store.engine.value,
        version=(store.version or infrastructure.POSTGRES_DEFAULT_VERSION) if is_postgres else "",
        size_gb=store.size_gb,
        host=name,
        port=infrastructure.POSTGRES_PORT if is_postgres else 0,
        database=identifier if is_postgres else "",
        user=identifier if is_postgres else "",
        url_env=f"{prefix}_URL" if is_postgres else f"{prefix}_PATH",
        password_env=f"{prefix}_PASSWORD" if is_postgres else "",
        volume=f"{name}-data",
        mount_path="" if is_postgres else f"/data/{name}",
    )
