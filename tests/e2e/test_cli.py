"""The command line on the committed tree: `rosec check` for every example, and `rosec run` as a real process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest
from conftest import EXAMPLES, ROOT, example_specs

from rosec import run, run_plan
from rosec.model.system import System

from .support import port_offset_for

SECRETS = ("AMQP_PASSWORD", "RABBITMQ_PASSWORD", "ORDERS_DB_PASSWORD", "CATALOG_DB_PASSWORD",
           "PAYMENT_PROVIDER_API_KEY", "SMTP_PASSWORD")


def rosec(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rosec", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)


def clean_environment(**variables: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SECRETS and not k.startswith(("ROSE_", "OIDC_"))}
    return env | variables


@pytest.mark.parametrize("spec", example_specs(), ids=lambda spec: spec.parent.name)
def test_rosec_check_passes_on_the_committed_tree(spec: object) -> None:
    result = rosec("check", str(spec))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is up to date" in result.stdout


@pytest.mark.parametrize("log_format", [None, "text"])
def test_rosec_run_starts_the_minimal_example_and_stops_it_on_sigterm(minimal: System, log_format: str | None) -> None:
    offset = port_offset_for(minimal)
    chosen = ["--log-format", log_format] if log_format else []  # default: json, stdout being a pipe
    process = subprocess.Popen([sys.executable, "-m", "rosec", "run", str(EXAMPLES / "minimal" / "rose.yaml"),
                                "--port-offset", str(offset), *chosen], cwd=ROOT, env=clean_environment(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{minimal.service('hello').port + offset}"
    try:
        deadline = time.monotonic() + 30
        while not _ready(f"{base}/readyz"):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "hello did not become ready"
            time.sleep(0.1)
        assert httpx.get(f"{base}/hello/rosec").json() == {"message": "Hello, rosec!"}
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stdout + stderr
    assert "1 service(s) ready (hello " in stderr
    assert "all services stopped" in stderr
    if log_format == "text":
        assert all(line.startswith("hello | ") for line in stdout.splitlines()), stdout
        # hello | 19:05:01.123 INFO  rose.hello  service started  port=8100
        messages = [line.split(" | ", 1)[1].split(maxsplit=3)[3].split("  ")[0] for line in stdout.splitlines()]
    else:
        records = [json.loads(line) for line in stdout.splitlines()]
        assert {r["service.name"] for r in records} == {"hello"}
        messages = [r["message"] for r in records]
    assert "service started" in messages
    assert "received SIGTERM, stopping" in messages


def test_rosec_run_names_the_missing_secrets_and_starts_nothing() -> None:
    result = rosec("run", str(EXAMPLES / "shop" / "rose.yaml"), env=clean_environment(AMQP_PASSWORD="guest"))
    assert result.returncode == 1
    assert "missing secrets" in result.stderr
    for variable in ("PAYMENT_PROVIDER_API_KEY", "ORDERS_DB_PASSWORD", "CATALOG_DB_PASSWORD", "SMTP_PASSWORD"):
        assert variable in result.stderr
    assert "AMQP_PASSWORD" not in result.stderr  # given
    assert result.stdout == ""  # no service was started


def test_rosec_run_surfaces_a_service_that_exits_on_bad_settings(minimal: System) -> None:
    result = rosec("run", str(EXAMPLES / "minimal" / "rose.yaml"), "--port-offset", str(port_offset_for(minimal)),
                   env=clean_environment(LOG_LEVEL="chatty"))
    assert result.returncode == 1
    assert "hello exited with code 1 before it was ready" in result.stderr
    assert "LOG_LEVEL must be one of" in result.stderr


def test_a_service_that_dies_ends_the_supervision_with_an_error(minimal: System) -> None:
    processes = run_plan.plan(minimal, ROOT, port_offset=port_offset_for(minimal))
    group = run.ServiceGroup(processes, output=lambda name, line: None)
    group.start()
    try:
        group.running["hello"].popen.kill()
        with pytest.raises(run_plan.RunError, match="hello exited with code -9; its last output"):
            group.wait()
    finally:
        group.stop()


def _ready(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False
