"""The `services` target: the generated contract of every service (docs/services.md).

Per service, under services/<python_name>/: __init__.py, models.py, handlers.py, deps.py, main.py, Dockerfile,
and with REST endpoints api.py, openapi.json and rest_client.py; the gRPC modules (grpc/) and messaging.py
(messaging_code.py) are merged in. Once per system: services/requirements.txt. The shared runtime library is the
separate `runtime` target. Pure: the System model in, {path: bytes} out.
"""

from __future__ import annotations

from rosec.emit.serialize import to_json
from rosec.model.services import Service
from rosec.model.system import Layout, System
from rosec.targets.services import modules
from rosec.targets.services.dockerfile import dockerfile
from rosec.targets.services.grpc import render_grpc
from rosec.targets.services.messaging_code import render_messaging_code
from rosec.targets.services.models_code import models_module
from rosec.targets.services.openapi import document
from rosec.targets.services.requirements import requirements_txt

__all__ = ["outputs", "render", "service_files"]


def outputs(layout: Layout) -> tuple[str, ...]:
    return (f"{layout.services_dir}/",)


def render(system: System) -> dict[str, bytes]:
    if not system.services:
        return {}
    root = system.layout.services_dir
    out: dict[str, bytes] = {f"{root}/requirements.txt": requirements_txt(system)}
    for service in system.services:
        out |= {f"{root}/{service.python_name}/{name}": content
                for name, content in service_files(system, service).items()}
    for extra in (render_grpc(system), render_messaging_code(system)):
        clash = out.keys() & extra.keys()
        if clash:
            raise ValueError(f"services target: files produced twice: {sorted(clash)}")
        out |= extra
    return dict(sorted(out.items()))


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
        files["api.py"] = modules.api_module(system, service)
        files["openapi.json"] = to_json(document(system, service))
        files["rest_client.py"] = modules.rest_client_module(system, service)
    return files

