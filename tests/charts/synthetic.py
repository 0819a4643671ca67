"""A spec no example has: other names, a gRPC-only service (native gRPC probes) exposed by the gateway, a volume
two services share (ReadWriteMany), a chain of calls, an exposure by LoadBalancer with a TLS Secret (TLS at the
gateway and at Keycloak), gateway nodes that count requests in Redis, a dev user, grafana-operator, a namespaced
SecretStore. The charts must work for it as for the examples."""

from __future__ import annotations

from pathlib import Path

from conftest import system_from_text

from rosec.model.system import System

SPEC = """\
rose: 1
system: { name: fleet, domain: fleet.example.org, owner: ops }
environments:
  local: { hosting: compose }
  cluster:
    hosting: kubernetes
    replicas: 2
    gateway: { replicas: 3, redis: { host: limits.fleet.internal, port: 6380, password: FLEET_REDIS_PASSWORD } }
    allow_dev_users: true
    dev_users:
      - { name: dana, roles: [dispatcher], password: DANA_PASSWORD }
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
    gateway: { path: /api/planner, grpc: true }
  archive:
    grpc:
      - { name: Keep, request: Route, response: Route, roles: [dispatcher] }
    consumes: [vehicle.moved]
    uses: [photos]
    secrets: [ARCHIVE_BUCKET_KEY]
"""


def synthetic_system(directory: Path, text: str = SPEC) -> System:
    return system_from_text(directory, text)

