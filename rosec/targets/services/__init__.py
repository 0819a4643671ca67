"""The `services` target: the generated contract of every service (docs/services.md).

Per service, under services/<python_name>/: __init__.py, models.py, handlers.py, deps.py, main.py, Dockerfile,
and with REST endpoints api.py, openapi.json and rest_client.py; the gRPC modules (grpc/) and messaging.py
(messaging_code.py) are merged in. Once per system: services/requirements.txt. The shared runtime library is the
separate `runtime` target. Pure: the System model in, {path: bytes} out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from rosec.emit.files import add_new_files
from rosec.emit.serialize import to_json
from rosec.model.services import Service
from rosec.model.system import Layout, System
from rosec.targets.services import modules, rest_modules
from rosec.targets.services.dockerfile import dockerfile
from rosec.targets.services.grpc import render_grpc
from rosec.targets.services.messaging_code import render_messaging_code
from rosec.targets.services.models_code import models_module
from rosec.targets.services.openapi import document
from rosec.targets.services.requirements import requirements_txt

__all__ = ["outputs", "parts", "render", "service_files"]

SERVICES_PER_PART = 25  # about 0.1 s of rendering: small enough to even out two processes that share the parts


def outputs(layout: Layout) -> tuple[str, ...]:
    return (f"{layout.services_dir}/",)


def render(system: System) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for part in parts(system):
        add_new_files(out, part(), "services")
    return dict(sorted(out.items()))


def parts(system: System) -> list[Callable[[], dict[str, bytes]]]:
    """The target in independent parts, the largest first: the gRPC modules (protoc compiles every service's
    proto in one run), the messaging code with requirements.txt, then the services a few at a time. Two
    rendering processes share them out for a large system (rosec.render_processes); render() is their union."""
    if not system.services:
        return []
    chunks = [system.services[i : i + SERVICES_PER_PART] for i in range(0, len(system.services), SERVICES_PER_PART)]
    return [partial(render_grpc, system), partial(_system_files, system),
            *(partial(_services_files, system, chunk) for chunk in chunks)]


def _system_files(system: System) -> dict[str, bytes]:
    return {f"{system.layout.services_dir}/requirements.txt": requirements_txt(system), **render_messaging_code(system)}


def _services_files(system: System, services: Sequence[Service]) -> dict[str, bytes]:
    root = system.layout.services_dir
    return {f"{root}/{service.python_name}/{name}": content
            for service in services for name, content in service_files(system, service).items()}


def service_files(system: System, service: Service) -> dict[str, bytes]:
    """The files of one service, by name inside its package directory."""
    files = {
        "__init__.py": modules.init_module(system, service),
        "models.py": models_module(system, service),
        "handlers.py": modules.handlers_module(system, service),
        "deps.py": modules.deps_module(system, service),
        "main.py": modules.main_module(system, service),
        "Dockerfile": dockerfile(system, service),
    }
    if service.endpoints:
        files["api.py"] = rest_modules.api_module(system, service)
        files["openapi.json"] = to_json(document(system, service))
        files["rest_client.py"] = rest_modules.rest_client_module(system, service)
    return files

