"""The real Prometheus and Alertmanager servers (Debian's `prometheus` and `prometheus-alertmanager`) on loopback
ports for the tests, a webhook receiver for Alertmanager, and what the PromQL of rules and dashboards uses."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import promql_parser
import pytest

from rosec.emit.serialize import to_yaml
from rosec.model.system import System
from rosec.targets import grafana, prometheus

APT_HINT = "install it with `apt-get install -y --no-install-recommends prometheus prometheus-alertmanager` " \
           "(scripts/setup.sh does)"
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$environment": ".+"}


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: {APT_HINT}")
    return found


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def write_prometheus_dir(directory: Path, system: System, config: dict[str, Any]) -> Path:
    """prometheus.yml (`config`) and the system's generated rule files, laid out as in generated/."""
    for path, document in prometheus.prometheus_rules(system).items():
        (directory / path).parent.mkdir(parents=True, exist_ok=True)
        (directory / path).write_bytes(to_yaml(document))
    config_file = directory / "prometheus.yml"
    config_file.write_bytes(to_yaml(config))
    return config_file


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def _start(command: list[str], url: str, log: Path, timeout: float = 30) -> Server:
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    server = Server(process, url, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{command[0]} exited {process.returncode}:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200:
                return server
        time.sleep(0.2)
    server.stop()
    raise AssertionError(f"{command[0]} not ready after {timeout} s:\n{log.read_text()[-3000:]}")


def start_prometheus(config_file: Path, data: Path) -> Server:
    port = free_port()
    command = [tool("prometheus"), f"--config.file={config_file}", f"--storage.tsdb.path={data}",
               f"--web.listen-address=127.0.0.1:{port}"]
    return _start(command, f"http://127.0.0.1:{port}", data.parent / "prometheus.log")


def start_alertmanager(config: dict[str, Any], directory: Path) -> Server:
    port = free_port()
    config_file = directory / "alertmanager.yml"
    config_file.write_bytes(to_yaml(config))
    return _start([tool("prometheus-alertmanager"), f"--config.file={config_file}",
                   f"--storage.path={directory / 'data'}", f"--web.listen-address=127.0.0.1:{port}",
                   "--cluster.listen-address="], f"http://127.0.0.1:{port}", directory / "alertmanager.log")


def query(server: Server, expr: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{server.url}/api/v1/query", params={"query": expr}, timeout=10)
    body = response.json()
    assert body.get("status") == "success", f"{expr}: {body}"
    result: list[dict[str, Any]] = body["data"]["result"]
    return result


@dataclass
class WebhookReceiver:
    """Collects what Alertmanager posts (its webhook JSON) on a loopback port."""

    received: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received.append(json.loads(body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/alerts"

    def alerts(self) -> list[dict[str, Any]]:
        return [alert for message in list(self.received) for alert in message.get("alerts", [])]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextlib.contextmanager
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    try:
        yield receiver
    finally:
        receiver.close()


# --- the PromQL of rules and dashboards ------------------------------------------------------------------------

def rule_expressions(system: System) -> list[tuple[str, str]]:
    """(where, expr) of every rule of the system."""
    return [(f"{path}: {rule.get('record') or rule.get('alert')}", rule["expr"])
            for path, document in prometheus.prometheus_rules(system).items()
            for group in document["groups"] for rule in group["rules"]]


def dashboard_expressions(system: System) -> list[tuple[str, str]]:
    """(where, expr) of every Prometheus query of every dashboard, with Grafana's variables filled in."""
    found = []
    for name, board in grafana.dashboards(system).items():
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                expr = target["expr"]
                for variable, value in GRAFANA_VARIABLES.items():
                    expr = expr.replace(variable, value)
                found.append((f"{name}: {panel['title']}", expr))
        for variable in board["templating"]["list"]:
            found.append((f"{name}: variable {variable['name']}", variable["query"].removeprefix("label_values(")
                          .rsplit(",", 1)[0]))
    return found


def metric_names(expr: str) -> set[str]:
    """The metric names an expression selects (by name, or by an equality matcher on __name__)."""
    names: set[str] = set()

    def visit(node: Any) -> bool:
        if isinstance(node, promql_parser.VectorSelector):
            if node.name:
                names.add(node.name)
            names.update(m.value for m in node.matchers.matchers if m.name == "__name__")
        return True

    promql_parser.walk(promql_parser.parse(expr), visit)
    return names


def served_names(exposition: str) -> set[str]:
    """The series names a /metrics page declares (also those of families without a sample yet)."""
    from prometheus_client.parser import text_string_to_metric_families

    suffixes = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_count", "_sum", "_created"),
                "gauge": ("",)}
    return {f"{family.name}{suffix}" for family in text_string_to_metric_families(exposition)
            for suffix in suffixes.get(family.type, ("",))}
