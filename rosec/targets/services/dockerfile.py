"""services/<svc>/Dockerfile: one image per service, built from the project root."""

from __future__ import annotations

import json

from rosec.model.services import Service
from rosec.model.system import System
from rosec.targets.services.templating import render

# Pinned to a patch release and Debian suite so that a rebuild gets the same interpreter.
PYTHON_IMAGE = "python:3.11.14-slim-bookworm"
APP_UID = 10001


def dockerfile(system: System, service: Service) -> bytes:
    layout = system.layout
    services = layout.from_project_root(system.name, layout.services_dir)
    url = f"http://127.0.0.1:{service.port}{service.health.liveness_path}"
    probe = f"import urllib.request; urllib.request.urlopen({url!r}, timeout={service.health.timeout_s})"
    return render(
        "Dockerfile.jinja",
        header=system.header(),
        service=service,
        dockerfile=layout.from_project_root(system.name, layout.dockerfile(service.python_name)),
        python_image=PYTHON_IMAGE,
        volume_paths=[system.datastore(name).mount_path for name in service.uses
                      if system.datastore(name).engine == "volume"],
        uid=APP_UID,
        requirements=f"{services}/requirements.txt",
        generated_dir=services,
        handlers_dir=f"{layout.handlers_dir}/{service.name}",
        ports=[p for p in (service.port, service.grpc_port) if p],
        health=service.health,
        probe=json.dumps(probe),
    )
