"""The process lifecycle, as a generated main.py runs it: a real service process with uvicorn, gRPC and a
RabbitMQ consumer; SIGTERM stops it gracefully with exit code 0; a failure to start exits 1."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aio_pika
import grpc
import httpx
import pytest
from process_output import OutputLines

from .support import amqp_env, environ, free_port, topology

MAIN = '''
import json, os
from fastapi import FastAPI
from pydantic import BaseModel
from rose_runtime.amqp import Broker
from rose_runtime.amqp_topology import ConsumerTopology, Topology
from rose_runtime.grpc_server import create_server
from rose_runtime.http import install
from rose_runtime.runtime import Runtime
from rose_runtime.service import run, serve


class Payment(BaseModel):
    id: str


async def main() -> None:
    runtime = Runtime.from_env()
    app = FastAPI()
    install(app, runtime)
    grpc_server = create_server(runtime, runtime.settings.grpc_port, [], [], {}, host="127.0.0.1")
    t = json.loads(os.environ["TEST_TOPOLOGY"])
    argument_fields = ("queue_arguments", "retry_queue_arguments")  # JSON turned their tuples into lists
    topology = Topology(t["exchange"], t["retry_exchange"], t["dead_letter_exchange"],
                        tuple(ConsumerTopology(**{**c, **{k: tuple(map(tuple, c[k])) for k in argument_fields}})
                              for c in t["consumers"]))
    broker = Broker(runtime.settings, topology, runtime.metrics)

    async def on_payment(message: Payment, ctx) -> None:
        runtime.logger.info("handled payment %s", message.id)

    broker.register(topology.consumers[0].queue, Payment, on_payment)

    async def started() -> None:
        runtime.logger.info("startup hook")

    async def stopped() -> None:
        runtime.logger.info("shutdown hook")

    await serve(runtime, app=app, grpc_server=grpc_server, broker=broker, startup=[started], shutdown=[stopped],
                host="127.0.0.1")


run(main())
'''


class Service(OutputLines):
    def logs(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in list(self.lines)]

    def wait_for_log(self, message: str, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while not any(entry["message"] == message for entry in self.logs()):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError(f"no log {message!r}; got: {''.join(self.lines)}")
            time.sleep(0.02)

    def stop(self, timeout: float = 20.0) -> int:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout)
        self.join()
        return code


@contextmanager
def service(services_dir: Path, tmp_path: Path, env: dict[str, str]) -> Iterator[Service]:
    main = tmp_path / "main.py"
    main.write_text(MAIN, "utf-8")
    full_env = {**os.environ, **env, "PYTHONPATH": str(services_dir), "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen([sys.executable, str(main)], env=full_env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True) as process:
        running = Service(process)
        try:
            yield running
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(10)
            running.join()  # the reader stops at end of output; then Popen closes the pipe


def topology_env(vhost: str) -> tuple[Any, dict[str, str]]:
    topo = topology("payment.settled")
    described = {"exchange": topo.exchange, "retry_exchange": topo.retry_exchange,
                 "dead_letter_exchange": topo.dead_letter_exchange,
                 "consumers": [vars(c) for c in topo.consumers]}
    return topo, {**amqp_env(vhost), "TEST_TOPOLOGY": json.dumps(described)}


def test_a_service_runs_http_grpc_and_consumers_and_stops_on_sigterm(runtime_services_dir: Path, tmp_path: Path,
                                                                     amqp_vhost: str) -> None:
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    port, grpc_port = free_port(), free_port()
    topo, messaging = topology_env(amqp_vhost)
    env = environ(PORT=str(port), GRPC_PORT=str(grpc_port), **messaging)
    with service(runtime_services_dir, tmp_path, env) as svc:
        svc.wait_for_log("service started")
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
        ready = httpx.get(f"{base}/readyz")
        assert ready.status_code == 200 and ready.json()["checks"] == {"amqp": "ok"}

        async def check_grpc_and_publish() -> int:
            async with grpc.aio.insecure_channel(f"127.0.0.1:{grpc_port}") as channel:
                response = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
            connection = await aio_pika.connect(f"amqp://guest:guest@127.0.0.1:5672/{amqp_vhost}")
            async with connection:
                channel = await connection.channel()
                exchange = await channel.get_exchange(topo.exchange)
                await exchange.publish(aio_pika.Message(b'{"id": "p-1"}', correlation_id="cid-p1"),
                                       routing_key="payment.settled")
            return response.status

        assert asyncio.run(check_grpc_and_publish()) == health_pb2.HealthCheckResponse.SERVING
        svc.wait_for_log("handled payment p-1")
        assert svc.stop() == 0
    logs = svc.logs()
    messages = [entry["message"] for entry in logs]
    order = ["startup hook", "service started", "received SIGTERM, stopping", "shutting down", "shutdown hook",
             "service stopped"]
    assert [m for m in messages if m in order] == order
    handled = next(entry for entry in logs if entry["message"] == "handled payment p-1")
    assert handled["rose.correlation_id"] == "cid-p1" and handled["rose.event"] == "payment.settled"
    assert all(entry["service.name"] == "orders" and entry["service.environment"] == "test" for entry in logs)
    assert not [entry for entry in logs if entry["log.level"] in ("error", "critical")]


def test_a_service_that_cannot_bind_its_port_exits_1(runtime_services_dir: Path, tmp_path: Path,
                                                     amqp_vhost: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        _, messaging = topology_env(amqp_vhost)
        env = environ(PORT=str(port), GRPC_PORT=str(free_port()), **messaging)
        with service(runtime_services_dir, tmp_path, env) as svc:
            code = svc.process.wait(30)
            svc.join()
    assert code == 1
    failed = [entry for entry in svc.logs() if entry["log.level"] == "critical"]
    assert failed and "HTTP server failed to start" in failed[0]["message"]
    assert "shutdown hook" in [entry["message"] for entry in svc.logs()]


def test_invalid_settings_exit_1_before_anything_starts(runtime_services_dir: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in environ().items() if k != "SERVICE_NAME"}
    env["SERVICE_NAME"] = ""
    with service(runtime_services_dir, tmp_path, env) as svc:
        code = svc.process.wait(30)
        svc.join()
    assert code == 1
    failed = [entry for entry in svc.logs() if entry["log.level"] == "critical"]
    assert failed and "SERVICE_NAME is required" in failed[0]["message"]


@pytest.mark.parametrize("sig", [signal.SIGINT])
def test_sigint_stops_as_gracefully(runtime_services_dir: Path, tmp_path: Path, amqp_vhost: str,
                                    sig: signal.Signals) -> None:
    _, messaging = topology_env(amqp_vhost)
    env = environ(PORT=str(free_port()), GRPC_PORT=str(free_port()), **messaging)
    with service(runtime_services_dir, tmp_path, env) as svc:
        svc.wait_for_log("service started")
        svc.process.send_signal(sig)
        assert svc.process.wait(20) == 0
        svc.join()
    assert "service stopped" in [entry["message"] for entry in svc.logs()]
