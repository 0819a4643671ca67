"""Compose services for the rose services of the system."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rosec.model import infrastructure as infra
from rosec.model.environments import Environment, EnvVar, ServiceDeployment
from rosec.model.services import Service
from rosec.targets.compose.common import Context, healthcheck, healthy, literal, publish


def services(ctx: Context) -> dict[str, dict[str, Any]]:
    return {s.host: _service(ctx, s) for s in ctx.system.services}


def _service(ctx: Context, service: Service) -> dict[str, Any]:
    system, layout = ctx.system, ctx.system.layout
    deployment = ctx.environment.deployments[service.name]
    entry: dict[str, Any] = {
        "build": {
            "context": layout.project_root_from_output,
            "dockerfile": layout.from_project_root(system.name, layout.dockerfile(service.python_name)),
        },
        # No `image:` (compose names the built image <project>-<service>): a tag here would be a mutable one.
        "environment": {var.name: _value(ctx, service, var) for var in deployment.env},
    }
    if deployment.replicas == 1:  # more replicas cannot share one host port
        entry["ports"] = [publish(p) for p in (service.port, service.grpc_port) if p]
    volumes = [ctx.volume(store.volume, store.mount_path)
               for store in map(system.datastore, service.uses) if store.engine == "volume"]
    if volumes:
        entry["volumes"] = volumes
    entry["networks"] = [ctx.network]
    depends_on = _dependencies(ctx, service, deployment)
    if depends_on:
        entry["depends_on"] = healthy(depends_on)
    health = service.health
    probe = (f"import urllib.request; "
             f"urllib.request.urlopen({f'http://127.0.0.1:{service.port}{health.liveness_path}'!r}, "
             f"timeout={health.timeout_s})")
    entry["healthcheck"] = healthcheck(["CMD", "python", "-c", probe], health.interval_s, health.timeout_s,
                                       health.retries, health.start_period_s)
    entry["deploy"] = {
        "replicas": deployment.replicas,
        "resources": {"limits": {"cpus": cpus(deployment.resources.cpu_millicores),
                                 "memory": f"{deployment.resources.memory_mib}M"}},
    }
    entry |= {
        "restart": "unless-stopped",
        "read_only": True,
        "tmpfs": ["/tmp"],
        "security_opt": ["no-new-privileges:true"],
        "cap_drop": ["ALL"],
    }
    if system.observability.logs:
        entry["logging"] = {"driver": "gelf", "options": {
            "gelf-address": f"udp://{infra.LOCAL_BIND}:{infra.LOGSTASH.published_port}",
            "tag": service.name,
        }}
    return entry


def _value(ctx: Context, service: Service, var: EnvVar) -> str:
    if var.secret is None:
        return literal(var.value or "")
    if var.optional:
        return ctx.vars.optional(var.secret, service.name)
    return ctx.vars.required(var.secret, service.name)


def _dependencies(ctx: Context, service: Service, deployment: ServiceDeployment) -> list[str]:
    """Compose services that must be healthy before this one starts, in a fixed order."""
    system, environment = ctx.system, ctx.environment
    found: list[str] = []
    if service.needs_broker and system.messaging:
        found.append(system.messaging.host)
    found += [store.host for store in map(system.datastore, service.uses) if store.engine == "postgres"]
    if system.identity and (service.roles or _uses_identity(environment, deployment.env)):
        found.append(infra.KEYCLOAK.host)
    found += [system.service(peer).host for peer in service.calls if running(environment, peer)]
    return found


def _uses_identity(environment: Environment, env: tuple[EnvVar, ...]) -> bool:
    urls = {environment.oidc_issuer, environment.oidc_jwks_url} - {None}
    return any(var.value in urls for var in env)


def running(environment: Environment, service: str) -> bool:
    """A service scaled to zero never becomes healthy, so nothing may wait for it."""
    return environment.deployments[service].replicas > 0


def cpus(millicores: int) -> str:
    """250 -> "0.25", 1000 -> "1" (Docker's --cpus)."""
    return format((Decimal(millicores) / 1000).normalize(), "f")

