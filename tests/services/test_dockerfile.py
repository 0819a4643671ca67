"""Every service's Dockerfile: what it copies exists from the project root, it runs unprivileged, its ports,
healthcheck and command agree with the model, and compose builds it from the path rosec writes it to."""

from __future__ import annotations

import json
import re

import pytest
from conftest import GENERATED, ROOT, example_specs

from rosec.model.services import Service
from rosec.model.system import System
from rosec.pipeline import load_system
from rosec.targets import compose
from rosec.targets.services import render


def all_services() -> list[tuple[System, Service]]:
    systems = [load_system(spec) for spec in example_specs()]
    return [(system, service) for system in systems for service in system.services]


CASES = all_services()


def instructions(text: str) -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n\s*", " ", text)
    found = []
    for line in joined.splitlines():
        if line.strip() and not line.startswith("#"):
            keyword, _, rest = line.strip().partition(" ")
            found.append((keyword, rest.strip()))
    return found


@pytest.mark.parametrize(("system", "service"), CASES, ids=[f"{s.name}-{v.name}" for s, v in CASES])
def test_dockerfile(system: System, service: Service) -> None:
    path = system.layout.dockerfile(service.python_name)
    text = render(system)[path].decode("utf-8")
    assert text.startswith(system.header())
    steps = instructions(text)
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm", steps[0][1]) and steps[0][0] == "FROM", \
        "the base image is pinned to a patch release"
    keywords = [k for k, _ in steps]
    assert keywords.index("USER") > keywords.index("RUN"), "packages are installed before dropping privileges"
    assert dict(steps)["USER"] == "10001:10001"
    assert any(k == "RUN" and "pip install --no-cache-dir -r /app/requirements.txt" in v for k, v in steps)
    copies = [v.split() for k, v in steps if k == "COPY"]
    assert copies == [
        [f"generated/{system.name}/services/requirements.txt", "/app/requirements.txt"],
        [f"generated/{system.name}/services", "/app/generated"],
        [f"{system.layout.handlers_dir}/{service.name}", "/app/handlers"],
    ]
    for source, _ in copies:
        assert (ROOT / source).exists(), f"{source} (from the project root) does not exist"
    env = " ".join(v for k, v in steps if k == "ENV")
    assert "PYTHONPATH=/app/generated:/app/handlers" in env
    assert "SERVICE_VERSION=${SERVICE_VERSION}" in env and ("ARG", "SERVICE_VERSION=dev") in steps, \
        "the version is a build argument, reported as service.version and in the Sentry release"
    assert dict(steps)["EXPOSE"].split() == [str(p) for p in (service.port, service.grpc_port) if p]
    healthcheck = dict(steps)["HEALTHCHECK"]
    assert f"http://127.0.0.1:{service.port}/healthz" in healthcheck
    assert f"--interval={service.health.interval_s}s" in healthcheck
    volumes = [system.datastore(n).mount_path for n in service.uses if system.datastore(n).engine == "volume"]
    for mount in volumes:
        assert any(k == "RUN" and f"mkdir -p {mount}" in v and f"chown 10001:10001 {mount}" in v for k, v in steps), \
            f"{mount} must exist in the image, owned by the app user, so a new named volume is writable"
    assert json.loads(dict(steps)["CMD"]) == ["python", "-m", f"{service.python_name}.main"]
    assert (GENERATED / system.name / system.layout.services_dir / service.python_name / "main.py").exists()


def test_compose_builds_the_dockerfiles_rosec_writes() -> None:
    for spec in example_specs():
        system = load_system(spec)
        rendered = render(system)
        document = compose.render(system)[system.layout.compose_file].decode("utf-8")
        for service in system.services:
            path = system.layout.dockerfile(service.python_name)
            assert path in rendered
            assert f"dockerfile: {system.layout.from_project_root(system.name, path)}" in document
