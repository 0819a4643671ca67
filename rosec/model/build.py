"""Build the System model from a checked spec: each domain derives its own part, once."""

from __future__ import annotations

from dataclasses import replace

from rosec.model.alerting import build_alerting
from rosec.model.datastores import build_datastores
from rosec.model.deployments import build_environments
from rosec.model.identity import build_identity
from rosec.model.messages import build_enums, build_messages
from rosec.model.messaging import build_events, build_messaging
from rosec.model.observability import build_observability
from rosec.model.service_build import build_services
from rosec.model.system import Layout, System
from rosec.spec.models import RoseSpec


def build_system(spec: RoseSpec, spec_file: str) -> System:
    messaging = build_messaging(spec)
    services = build_services(spec, messaging)
    system = System(
        name=spec.system.name,
        domain=spec.system.domain,
        description=spec.system.description,
        owner=spec.system.owner,
        spec_file=spec_file,
        environments=(),
        identity=build_identity(spec, services),
        observability=build_observability(spec),
        messages=build_messages(spec),
        enums=build_enums(spec),
        events=build_events(spec, messaging),
        datastores=build_datastores(spec),
        services=services,
        messaging=messaging,
        layout=Layout(handlers_dir=spec.system.handlers_dir),
        alerting=build_alerting(spec),
    )
    return replace(system, environments=build_environments(spec, system))
