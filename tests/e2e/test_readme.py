"""The README's "Run the shop" works: its three tested blocks (setup, run, try), taken from the README itself, run
with bash in a fresh project directory, and the order the last command reads back is the one alice placed.

RabbitMQ and PostgreSQL on this machine are shared with other test runs, so the setup block's `rabbitmqctl` and
`psql` commands are not run on them: shims on the PATH record them, the test checks them against the model (the
vhost, user, roles and databases of the services' variables, the passwords of the `.env` the block wrote), and the
services run against a vhost and databases of the test's own, given as variables that win over the env file (as
for any `rosec run`). Everything else runs exactly as written, on the README's ports."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import ROOT, postgres_databases, rabbitmq_vhost
from process_output import OutputLines

from rosec.model.system import System
from rosec.run_plan import read_env_file

from .support import port_is_free

BLOCK = re.compile(r"<!-- tested: (\w+) -->\n```sh\n(.*?)```", re.DOTALL)
SHIM = """#!/bin/sh
printf '%s\\0' "$(basename "$0")" "$@" >> "$ROSEC_README_CALLS"
printf '\\n' >> "$ROSEC_README_CALLS"
"""
READY_TIMEOUT = 90.0


def readme_blocks() -> dict[str, str]:
    found = dict(BLOCK.findall((ROOT / "README.md").read_text("utf-8")))
    assert set(found) == {"setup", "run", "try"}, f"README blocks marked as tested: {sorted(found)}"
    return found


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh project: the shop's spec and handlers, the repository's virtualenv, no generated/ and no .env."""
    root = tmp_path / "project"
    shutil.copytree(ROOT / "spec-examples" / "shop", root / "spec-examples" / "shop")
    shutil.copytree(ROOT / "services" / "shop", root / "services" / "shop",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (root / ".venv").symlink_to(ROOT / ".venv")
    (root / "pyproject.toml").write_text("# the project root of the README's commands\n", "utf-8")
    return root


class Running(OutputLines):
    """A bash command in its own process group, its output collected line by line by a thread."""

    def __init__(self, command: str, cwd: Path, env: dict[str, str]) -> None:
        super().__init__(subprocess.Popen(["bash", "-c", command], cwd=cwd, env=env, text=True,
                                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True))

    def output(self) -> str:
        return "".join(self.lines)[-4000:]

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while not any("service(s) ready" in line for line in self.lines):
            if self.process.poll() is not None:
                raise AssertionError(f"`rosec run` exited with {self.process.returncode}:\n{self.output()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"the shop was not ready within {READY_TIMEOUT:g} s:\n{self.output()}")
            time.sleep(0.2)

    def interrupt(self) -> int:
        """Ctrl-C, as in the terminal; the exit status."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.join()
        assert self.process.stdout is not None
        self.process.stdout.close()
        return self.process.returncode


def recorded(calls: Path) -> list[list[str]]:
    text = calls.read_text("utf-8") if calls.exists() else ""
    return [line.strip("\0").split("\0") for line in text.split("\n") if line.strip("\0")]


def documents(text: str) -> list[dict[str, object]]:
    """The JSON documents curl printed one after another (curl adds no line break of its own)."""
    decoder, found, at = json.JSONDecoder(), [], 0
    while at < len(text.rstrip()):
        while text[at].isspace():
            at += 1
        document, at = decoder.raw_decode(text, at)
        found.append(document)
    return found


def check_provisioning(shop: System, calls: list[list[str]], env_file: dict[str, str]) -> None:
    """The README's infrastructure commands create what the services' variables name, with the .env's passwords."""
    messaging = shop.messaging
    assert messaging is not None
    expected = [["rabbitmqctl", "add_vhost", messaging.vhost],
                ["rabbitmqctl", "add_user", messaging.user, env_file[messaging.password_env]],
                ["rabbitmqctl", "set_permissions", "-p", messaging.vhost, messaging.user, ".*", ".*", ".*"]]
    for store in (d for d in shop.datastores if d.engine == "postgres"):
        expected.append(["psql", "-h", "127.0.0.1", "-U", "postgres",
                         "-c", f"CREATE ROLE {store.user} LOGIN PASSWORD '{env_file[store.password_env]}'",
                         "-c", f"CREATE DATABASE {store.database} OWNER {store.user}"])
    assert sorted(calls) == sorted(expected)


@pytest.mark.long(seconds=22)
def test_the_readmes_commands_place_an_order_and_read_it_back(shop: System, project: Path) -> None:
    if shutil.which("jq") is None:
        pytest.fail("jq is missing: apt-get install -y jq (scripts/setup.sh installs it)")
    ports = [p for s in shop.services for p in (s.port, s.grpc_port) if p] + [8080]
    busy = [p for p in ports if not port_is_free(p)]
    assert not busy, f"the README's ports are taken on this machine: {busy}"
    blocks = readme_blocks()
    shims = project / "shims"
    shims.mkdir()
    for tool in ("rabbitmqctl", "psql"):
        (shims / tool).write_text(SHIM, "utf-8")
        (shims / tool).chmod(0o755)
    calls = project / "calls"
    stores = [d for d in shop.datastores if d.engine == "postgres"]
    with rabbitmq_vhost("rosec-readme") as vhost, postgres_databases(len(stores), "rosec_readme") as dsns:
        own = {"AMQP_URL": f"amqp://guest@127.0.0.1:5672/{vhost}", "AMQP_PASSWORD": "guest"}
        own |= {store.url_env: dsn for store, dsn in zip(stores, dsns, strict=True)}
        env = {**os.environ, "PATH": f"{shims}:{os.environ['PATH']}", "ROSEC_README_CALLS": str(calls), **own}
        setup = subprocess.run(["bash", "-ec", blocks["setup"]], cwd=project, env=env, capture_output=True,
                               text=True, timeout=300)
        assert setup.returncode == 0, setup.stdout + setup.stderr
        env_file = read_env_file(project / ".env")
        check_provisioning(shop, recorded(calls), env_file)
        assert (project / "generated" / "shop" / "config" / "kong" / "dev" / "kong.yaml").is_file()
        # the run block in the shell the setup block left: its .env exported, then exactly the README's command
        exported = "set -a && . ./.env && set +a\n" + "".join(f"export {k}={shlex.quote(v)}\n" for k, v in own.items())
        run = Running(exported + f"exec {blocks['run']}", project, env)
        try:
            run.wait_until_ready()
            tried = subprocess.run(["bash", "-euo", "pipefail", "-c", blocks["try"]], cwd=project, env=env,
                                   capture_output=True, text=True, timeout=120)
        finally:
            status = run.interrupt()
        assert tried.returncode == 0, tried.stdout + tried.stderr + run.output()
        assert status == 0, f"Ctrl-C stops the shop cleanly:\n{run.output()}"
    product, order = documents(tried.stdout)
    assert product["sku"] == "tea-sencha"
    alice = next(u for u in shop.environment("dev").dev_users if u.name == "alice")
    assert order["customer_id"] == alice.subject
    assert [(line["sku"], line["quantity"]) for line in order["lines"]] == [("tea-sencha", 2)]
    assert order["total"] == {"amount": "8.40", "currency": "EUR"}
