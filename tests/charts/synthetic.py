"""A spec no example has: other names, a gRPC-only service (native gRPC probes), a volume two services share
(ReadWriteMany), a chain of calls, an exposure by LoadBalancer with a TLS Secret, grafana-operator, a namespaced
SecretStore. The charts must work for it as for the examples."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

from conftest import system_from_text

from rosec.model.system import System
from rosec.targets.helm import edge

SPEC = """\
rose: 1
system: { name: fleet, domain: fleet.example.org, owner: ops }
environments:
  local: { hosting: compose }
  cluster:
    hosting: kubernetes
    replicas: 2
    kubernetes:
      registry: ghcr.io/example/fleet
      namespace: fleet
      load_balancer: true
      tls: { secret: fleet-tls }
      secret_store: { name: fleet-store, kind: SecretStore }
      monitoring: true
      dashboards: grafana-operator
      prometheus_namespace: observability
      postgres_instances: 3
      rabbitmq_replicas: 1
identity: { realm: fleet, roles: [driver, dispatcher] }
messages:
  Position: { fields: { vehicle: string, lat: float, lon: float } }
  Route: { fields: { id: uuid, stops: "list[string]" } }
  RouteQuery: { fields: { vehicle: string } }
events:
  vehicle.moved: { message: Position }
datastores:
  tracks-db: { engine: postgres, version: "17", size_gb: 50 }
  photos: { engine: volume, size_gb: 100 }
services:
  tracker:
    rest:
      - { method: POST, path: /positions, request: Position, response: Position, roles: [driver] }
    publishes: [vehicle.moved]
    uses: [tracks-db, photos]
    calls: [planner]
    gateway: { path: /api/tracker }
    scaling: { min: 2, max: 8 }
  planner:
    grpc:
      - { name: Plan, request: RouteQuery, response: Route, roles: [dispatcher] }
    calls: [archive]
  archive:
    grpc:
      - { name: Keep, request: Route, response: Route, roles: [dispatcher] }
    consumes: [vehicle.moved]
    uses: [photos]
    secrets: [ARCHIVE_BUCKET_KEY]
"""


def synthetic_system(directory: Path, text: str = SPEC) -> System:
    return system_from_text(directory, text)


@contextlib.contextmanager
def stub_edge() -> Iterator[None]:
    """Stand-ins for the Kong and Keycloak builders while rosec has none: the smallest valid documents."""
    with mock.patch.object(edge, "kong_configuration", lambda system, env: {"_format_version": "3.0"}), \
            mock.patch.object(edge, "keycloak_realm", lambda system, env: {"realm": system.identity.realm,
                                                                          "enabled": True}):
        yield
