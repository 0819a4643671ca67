"""What `rosec run` starts: the services of a built system, in start order, each with its command, working
directory and environment (rosec.run starts and supervises them).

The environment of every service is the model's local env (`rosec.model.deployments.local_service_env`),
overridden by layers of KEY=VALUE mappings (an --env-file, then the process environment) for the same names; a
secret may also be given under its secret's name (AMQP_PASSWORD or RABBITMQ_PASSWORD), as in the `.env` of
the compose environment. Called services start before their callers.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rosec.envfile import unescape
from rosec.model.deployments import local_service_env
from rosec.model.environments import EnvVar
from rosec.model.services import Service
from rosec.model.system import System
from rosec.project import default_output

# Values that differ per service: an override shared by every service cannot be right for them, so they always
# come from the model (shift the ports with `port_offset`).
PER_SERVICE = frozenset({"SERVICE_NAME", "PORT", "GRPC_PORT", "OIDC_AUDIENCE"})
SERVICES_EXTRA = "pip install 'rosec[services]'"


class RunError(Exception):
    """Something that keeps the services from running; the message is meant for the user."""


class MissingSecretsError(RunError):
    """Secrets the services need that no layer provides, by variable."""

    def __init__(self, missing: Mapping[EnvVar, Sequence[str]]) -> None:
        self.variables = tuple(v.name for v in missing)
        lines = []
        for variable, services in missing.items():
            also = f" (or {variable.secret})" if variable.secret and variable.secret != variable.name else ""
            lines.append(f"  {variable.name}{also}: needed by {', '.join(services)}")
        super().__init__("missing secrets; set them in the environment or in an --env-file:\n" + "\n".join(lines))


@dataclass(frozen=True)
class ServiceProcess:
    """How one service is started: command, working directory and its own environment variables."""

    name: str
    command: tuple[str, ...]
    cwd: Path
    env: Mapping[str, str]  # the service's variables and PYTHONPATH; the child also inherits os.environ
    ready_url: str
    volumes: tuple[Path, ...] = ()  # directories standing in for volumes, created before the start


def start_order(system: System, names: Iterable[str] | None = None) -> list[Service]:
    """The chosen services (default: all), every called service before its callers, else in spec order."""
    chosen = list(dict.fromkeys(names)) if names is not None else [s.name for s in system.services]
    unknown = [n for n in chosen if n not in {s.name for s in system.services}]
    if unknown:
        known = ", ".join(s.name for s in system.services)
        raise RunError(f"unknown service(s): {', '.join(unknown)}; {system.name} has: {known}")
    ordered: list[Service] = []
    placed: set[str] = set()

    def place(service: Service) -> None:  # the resolver rejects cycles in `calls`
        if service.name in placed:
            return
        for callee in service.calls:
            place(system.service(callee))
        placed.add(service.name)
        ordered.append(service)

    for service in system.services:
        place(service)
    return [s for s in ordered if s.name in chosen]


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines (blank lines, `# comments` and a leading `export ` allowed; quotes around a value removed,
    and in double quotes the escapes \\n, \\", \\\\ ... read, as Compose reads them)."""
    values: dict[str, str] = {}
    try:
        text = path.read_text("utf-8")
    except OSError as error:
        raise RunError(f"cannot read the env file {path}: {error.strerror or error}") from None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").lstrip()
        key, sep, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not (key[0].isalpha() or key[0] == "_") \
                or not all(c.isalnum() or c == "_" for c in key):
            raise RunError(f"{path}:{number}: expected KEY=VALUE, got {raw!r}")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = unescape(value[1:-1]) if value[0] == '"' else value[1:-1]  # as Compose reads it
        values[key] = value
    return values


def resolve_env(variables: Iterable[EnvVar], layers: Sequence[Mapping[str, str]]) \
        -> tuple[dict[str, str], list[EnvVar]]:
    """The values of a service's variables after the override layers (later layers win), and the required
    secrets that stay unset or empty."""
    values: dict[str, str] = {}
    missing: list[EnvVar] = []
    for variable in variables:
        value = variable.value
        if variable.name not in PER_SERVICE:
            for layer in layers:
                if variable.name in layer:
                    value = layer[variable.name]
                elif variable.secret is not None and variable.secret in layer:
                    value = layer[variable.secret]
        if variable.is_secret and not value:
            if not variable.optional:
                missing.append(variable)
            continue
        if value is not None:
            values[variable.name] = value
    return values, missing


def missing_service_distributions() -> list[str]:
    """The distributions of rosec's `services` extra (what generated services import) that are not installed."""
    from importlib.metadata import PackageNotFoundError, distribution

    from rosec.targets.services.requirements import PINS

    missing = []
    for requirement, _ in PINS:
        name = requirement.split("[")[0]
        try:
            distribution(name)
        except PackageNotFoundError:
            missing.append(name)
    return missing


def plan(system: System, project_root: Path, *, services: Iterable[str] | None = None,
         layers: Sequence[Mapping[str, str]] = (), port_offset: int = 0,
         output: Path | None = None) -> list[ServiceProcess]:
    """How to start the chosen services of a built system (in `output`, default generated/<system> under the
    project root), in start order; RunError when something is missing (MissingSecretsError lists every unset
    secret of every chosen service at once)."""
    root = project_root.resolve()
    services_dir = (output.resolve() if output else default_output(system, root)) / system.layout.services_dir
    if not services_dir.is_dir():
        raise RunError(f"{services_dir} does not exist: run `rosec build {system.spec_file}` first")
    processes: list[ServiceProcess] = []
    missing: dict[EnvVar, list[str]] = {}
    for service in start_order(system, services):
        package = services_dir / service.python_name
        handlers = root / system.layout.handlers_dir / service.name
        if not (package / "main.py").is_file():
            raise RunError(f"{package / 'main.py'} does not exist: run `rosec build {system.spec_file}` first")
        if not (handlers / "handlers.py").is_file():
            raise RunError(f"{handlers / 'handlers.py'} does not exist: `rosec build` scaffolds it")
        values, unset = resolve_env(local_service_env(system, service.name, port_offset), layers)
        for variable in unset:
            missing.setdefault(variable, []).append(service.name)
        volumes = tuple(root / values[system.datastore(d).url_env] for d in service.uses
                        if system.datastore(d).engine == "volume" and system.datastore(d).url_env in values)
        env = {**values, "PYTHONPATH": os.pathsep.join((str(services_dir), str(handlers))),
               "PYTHONUNBUFFERED": "1"}
        processes.append(ServiceProcess(
            name=service.name,
            command=(sys.executable, "-m", f"{service.python_name}.main"),
            cwd=root,
            env=env,
            ready_url=f"http://127.0.0.1:{values['PORT']}{service.health.readiness_path}",
            volumes=volumes,
        ))
    if missing:
        raise MissingSecretsError(missing)
    return processes
