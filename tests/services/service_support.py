"""Helpers for the generated-services tests: build a system's service code into a directory, run Python there.

Generated packages are imported in subprocesses (or, for the models, under a package name no other test uses),
so the tests never share sys.modules with one another or with the runtime tests.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

import httpx

from rosec.model.system import System
from rosec.pipeline import render

SERVICE_TARGETS = ("runtime", "services")


def build(system: System, project: Path, targets: Iterable[str] = SERVICE_TARGETS) -> Path:
    """Write the targets into <project>/generated/<system>/ as `rosec build` would; returns the services dir."""
    out = project / "generated" / system.name
    for relative, output in render(system, list(targets)).files.items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(output.content)
    return out / system.layout.services_dir


def python_env(*paths: Path, **variables: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ROSE_", "OIDC_", "SENTRY_", "AMQP_"))}
    env.pop("PYTHONPATH", None)
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in paths)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env | variables


def run_python(code: str, *paths: Path, timeout: float = 60, **variables: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], env=python_env(*paths, **variables), capture_output=True,
                          text=True, timeout=timeout, cwd=paths[0] if paths else None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def service_environment(system: System, service: str, port: int) -> dict[str, str]:
    return {"ROSE_SYSTEM": system.name, "SERVICE_NAME": service, "ROSE_ENVIRONMENT": "test", "PORT": str(port),
            "LOG_LEVEL": "INFO"}


def wait_until_healthy(process: subprocess.Popen[str], url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise AssertionError(f"the service exited with {process.returncode}:\n{output}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within {timeout} s")


def start_service(module: str, paths: Iterable[Path], environment: Mapping[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", module], env=python_env(*paths, **environment),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def stop(process: subprocess.Popen[str], timeout: float = 20) -> tuple[int, str]:
    """SIGTERM, then the exit status and everything the process printed."""
    if process.poll() is None:
        process.terminate()
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return process.returncode, output
