"""`rosec run`: the planned services of a built system (rosec.run_plan) as local processes against infrastructure
on 127.0.0.1. Services start one by one, each once the previous one answered /readyz.

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
from rosec.model.system import System
from rosec.run_logs import Output, default_log_format, printer, text_line
from rosec.run_plan import (
    SERVICES_EXTRA,
    RunError,
    ServiceProcess,
    missing_service_distributions,
    plan,
    read_env_file,
)

READY_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0  # a service drains HTTP for up to 10 s and gRPC for 5 s
TAIL_LINES = 40
POLL_SECONDS = 0.2  # supervision: how often children are checked
READY_POLL_SECONDS = 0.02  # start-up: how often /readyz is asked (a refused connection costs next to nothing)


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
