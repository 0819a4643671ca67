"""`rosec run`: the services of a built system as local processes against infrastructure on 127.0.0.1.

The environment of every service is the model's local env (`rosec.model.deployments.local_service_env`),
overridden by layers of KEY=VALUE mappings (an --env-file, then the process environment) for the same names; a
secret may also be given under its secret's name (AMQP_PASSWORD or RABBITMQ_PASSWORD), as in the `.env` of
the compose environment.
Services start one by one, called services before their callers, each once the previous one answered /readyz.

    processes = plan(system, project_root, layers=[read_env_file(path), os.environ])
    with ServiceGroup(processes) as group:   # start() on enter, stop() on exit
        ...

The services run on rosec's `services` extra: `run` says so in one line when it is not installed. Their output
is shown by rosec.run_logs.
"""

from __future__ import annotations

import collections
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from rosec.devissuer.local import generated_secrets, local_issuer
from rosec.envfile import unescape
from rosec.model.deployments import local_service_env
from rosec.model.environments import EnvVar
from rosec.model.services import Service
from rosec.model.system import System
from rosec.project import default_output
from rosec.run_logs import Output, default_log_format, printer, text_line

# Values that differ per service: an override shared by every service cannot be right for them, so they always
# come from the model (shift the ports with `port_offset`).
PER_SERVICE = frozenset({"SERVICE_NAME", "PORT", "GRPC_PORT", "OIDC_AUDIENCE"})
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0  # a service drains HTTP for up to 10 s and gRPC for 5 s
TAIL_LINES = 40
POLL_SECONDS = 0.2  # supervision: how often children are checked
READY_POLL_SECONDS = 0.02  # start-up: how often /readyz is asked (a refused connection costs next to nothing)
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


@dataclass
class Running:
    process: ServiceProcess
    popen: subprocess.Popen[bytes]
    started_at: float
    ready_seconds: float | None = None
    tail: collections.deque[str] = field(default_factory=lambda: collections.deque(maxlen=TAIL_LINES))
    reader: threading.Thread | None = None

    def last_output(self) -> str:
        if self.reader is not None:
            self.reader.join(timeout=2)
        return "\n".join(f"  {text_line(line)}" for line in self.tail) or "  (no output)"


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


class ServiceGroup:
    """Child processes of the planned services: started one by one (each waits for the previous one's /readyz),
    stopped together with SIGTERM (SIGKILL after `stop_timeout`)."""

    def __init__(self, processes: Sequence[ServiceProcess], *, output: Output | None = None,
                 ready_timeout: float = READY_TIMEOUT, stop_timeout: float = STOP_TIMEOUT,
                 interrupted: threading.Event | None = None) -> None:
        self.processes = list(processes)
        self.output = output or printer(max((len(p.name) for p in self.processes), default=0),
                                        default_log_format(sys.stdout))
        self.ready_timeout = ready_timeout
        self.stop_timeout = stop_timeout
        self.interrupted = interrupted or threading.Event()
        self.running: dict[str, Running] = {}
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1, never a proxy

    def __enter__(self) -> ServiceGroup:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def ready_seconds(self) -> dict[str, float]:
        """Seconds from process start to the first successful /readyz, per started service."""
        return {n: r.ready_seconds for n, r in self.running.items() if r.ready_seconds is not None}

    def start(self) -> None:
        """Start every service and wait until it is ready; on any failure stop those started and raise RunError."""
        try:
            for process in self.processes:
                if self.interrupted.is_set():
                    raise RunError("interrupted while starting")
                self._wait_ready(self._spawn(process))
        except BaseException:
            self.stop()
            raise

    def _spawn(self, process: ServiceProcess) -> Running:
        for volume in process.volumes:
            volume.mkdir(parents=True, exist_ok=True)
        try:
            popen = subprocess.Popen(process.command, cwd=process.cwd, env={**os.environ, **process.env},
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)  # signals reach it from us only, not the terminal
        except OSError as error:
            raise RunError(f"{process.name}: cannot start {' '.join(process.command)}: {error}") from None
        running = Running(process, popen, time.monotonic())
        running.reader = threading.Thread(target=self._pump, args=(running,), name=f"rosec-run-{process.name}",
                                          daemon=True)
        running.reader.start()
        self.running[process.name] = running
        return running

    def _pump(self, running: Running) -> None:
        assert running.popen.stdout is not None
        for raw in iter(running.popen.stdout.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            running.tail.append(line)
            self.output(running.process.name, line)

    def _wait_ready(self, running: Running) -> None:
        name = running.process.name
        deadline = running.started_at + self.ready_timeout
        while True:
            code = running.popen.poll()
            if code is not None:
                raise RunError(f"{name} exited with code {code} before it was ready; its last output:\n"
                               f"{running.last_output()}")
            if self._ready(running.process.ready_url):
                running.ready_seconds = time.monotonic() - running.started_at
                return
            if time.monotonic() > deadline:
                raise RunError(f"{name} was not ready within {self.ready_timeout:g} s "
                               f"({running.process.ready_url}); its last output:\n{running.last_output()}")
            if self.interrupted.wait(READY_POLL_SECONDS):
                raise RunError("interrupted while starting")

    def _ready(self, url: str) -> bool:
        try:
            with self._opener.open(url, timeout=1) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):  # HTTPError (503 while not ready) is a URLError
            return False

    def wait(self) -> int:
        """Supervise until `interrupted` is set (0) or a child dies (1); the caller stops the group."""
        while not self.interrupted.wait(POLL_SECONDS):
            for name, running in self.running.items():
                code = running.popen.poll()
                if code is not None:
                    raise RunError(f"{name} exited with code {code}; its last output:\n{running.last_output()}")
        return 0

    def signal_all(self, sig: int) -> None:
        """Send `sig` to every child still running, callers first."""
        for running in reversed(list(self.running.values())):
            if running.popen.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    running.popen.send_signal(sig)

    def stop(self, sig: int = signal.SIGTERM) -> dict[str, int]:
        """Stop every child (`sig`, then SIGKILL after stop_timeout); their exit codes by name."""
        self.signal_all(sig)
        deadline = time.monotonic() + self.stop_timeout
        codes: dict[str, int] = {}
        for name, running in self.running.items():
            try:
                codes[name] = running.popen.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                running.popen.kill()
                codes[name] = running.popen.wait()
                self.output(name, f"(rosec run: killed after {self.stop_timeout:g} s)")
            if running.reader is not None:
                running.reader.join(timeout=2)
            if running.popen.stdout is not None:
                running.popen.stdout.close()
        return codes


@contextlib.contextmanager
def _forwarding_signals(interrupted: threading.Event, received: list[int],
                        on_repeat: Callable[[], None]) -> Iterator[None]:
    """SIGINT/SIGTERM set `interrupted` (the group then stops its children with the same signal); a second one
    calls `on_repeat` (kill the children at once)."""

    def handle(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        if interrupted.is_set():
            on_repeat()
        interrupted.set()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run(system: System, project_root: Path, *, services: Iterable[str] | None = None,
        env_file: Path | None = None, environ: Mapping[str, str] = os.environ, port_offset: int = 0,
        ready_timeout: float = READY_TIMEOUT, say: Callable[[str], None] | None = None,
        output: Path | None = None, log_format: str | None = None, issuer: bool = True) -> int:
    """`rosec run`: start, supervise until SIGINT/SIGTERM or a child dies, stop; the exit status.

    With `issuer` (and an identity), the local development issuer serves the realm's tokens first
    (rosec.devissuer.local). The first SIGINT/SIGTERM stops the children gracefully with the same signal, a
    second one kills them. log_format: text or json (rosec.run_logs); default text on a terminal, else json."""
    say = say or (lambda message: print(f"rosec run: {message}", file=sys.stderr, flush=True))
    missing = missing_service_distributions()
    if missing:
        raise RunError(f"the services need rosec's `services` extra, which is not installed here (missing: "
                       f"{', '.join(missing)}): {SERVICES_EXTRA}")
    layers = [generated_secrets(system)] if issuer else []
    layers += [read_env_file(env_file)] if env_file is not None else []
    layers.append(environ)
    processes = plan(system, project_root, services=services, layers=layers, port_offset=port_offset,
                     output=output)
    interrupted = threading.Event()
    received: list[int] = []
    width = max((len(p.name) for p in processes), default=0)
    group = ServiceGroup(processes, ready_timeout=ready_timeout, interrupted=interrupted,
                         output=printer(width, log_format or default_log_format(sys.stdout)))
    with _forwarding_signals(interrupted, received, on_repeat=lambda: group.signal_all(signal.SIGKILL)), \
            local_issuer(system, layers, port_offset, enabled=issuer, say=say):
        status = 0
        try:
            group.start()
            summary = ", ".join(f"{n} {s:.2f} s" for n, s in group.ready_seconds.items())
            say(f"{len(processes)} service(s) ready ({summary}); Ctrl-C stops them")
            status = group.wait()
        except RunError as error:
            say(str(error))
            status = 1
        finally:
            codes = group.stop(received[0] if received else signal.SIGTERM)
        failed = {n: c for n, c in codes.items() if c != 0}
        if status == 0 and failed:
            say("stopped; non-zero exit: " + ", ".join(f"{n} ({c})" for n, c in failed.items()))
            status = 1
        elif status == 0:
            say("all services stopped")
    return status
