"""A fork server that imports generated services and constructs their app objects, one child process per build.

Run as `python import_probe.py`; it imports the heavy third-party libraries the generated services use once, then
reads one JSON request per line on stdin and answers one JSON line on stdout per request. Each request is served
by a forked child, so every build gets a fresh sys.modules and a fresh protobuf descriptor pool (two builds may
both define services/orders/v1/orders.proto differently), at the cost of a fork instead of a new interpreter.

Request: {"services_dir": DIR, "services": [{"py": PACKAGE, "prefix": CLASS_PREFIX, "handlers": FILE,
          "env": {VARIABLE: VALUE}}]}
Answer:  {"ok": true, "modules": N} or {"ok": false, "error": TRACEBACK}

Per service the child imports every module of the generated package (and its v1 protobuf modules), loads the
scaffolded handlers module, checks it against the contract (rose_runtime.handlers.verify_handlers) and builds
what main.py's serve_service builds, without serving: the Runtime from the service's environment, the broker
object (not connected), the deps, the handlers instance, the FastAPI app (api.create_app or probes only), the
gRPC servicers and server (not started) and the consumer registrations.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import json
import os
import sys
import traceback
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

# Loaded once in the server; a child only imports the generated code and rose_runtime.
PRELOAD = ("fastapi", "fastapi.exceptions", "pydantic", "starlette.requests", "grpc", "grpc.aio", "grpc_health.v1",
           "grpc_reflection.v1alpha.reflection", "google.protobuf.message", "google.protobuf.timestamp_pb2",
           "aio_pika", "asyncpg", "httpx", "prometheus_client", "jwt", "sentry_sdk", "uvicorn")


def main() -> None:
    for name in PRELOAD:
        importlib.import_module(name)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(serve(json.loads(line))), flush=True)


def serve(request: dict[str, Any]) -> dict[str, Any]:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer through the pipe, never return into the server's loop
        os.close(read)
        try:
            answer = probe(request)
        except BaseException:  # every failure, even SystemExit, is the answer
            answer = {"ok": False, "error": traceback.format_exc()}
        with os.fdopen(write, "w") as pipe:
            pipe.write(json.dumps(answer))
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        text = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not text:
        return {"ok": False, "error": f"the probe process died (wait status {status}) without an answer"}
    answer: dict[str, Any] = json.loads(text)
    return answer


def probe(request: dict[str, Any]) -> dict[str, Any]:
    warnings.simplefilter("error")  # a warning of the generated code (a shadowed attribute, a deprecation) fails
    services_dir = Path(request["services_dir"])
    sys.path.insert(0, str(services_dir))
    imported = 0
    for service in request["services"]:
        imported += len(import_package(services_dir, service["py"]))
        handlers = load_handlers(service)
        asyncio.run(construct(service, handlers))
    return {"ok": True, "modules": imported}


def import_package(services_dir: Path, package: str) -> list[ModuleType]:
    root = services_dir / package
    names = [f"{package}.{path.stem}" for path in sorted(root.glob("*.py")) if path.stem != "__init__"]
    names += [f"{package}.v1.{path.stem}" for path in sorted((root / "v1").glob("*.py")) if path.stem != "__init__"]
    return [importlib.import_module(package), *map(importlib.import_module, names)]


def load_handlers(service: dict[str, Any]) -> type:
    """The scaffolded handlers module of the service, under a module name of its own, checked like main.py does."""
    from rose_runtime.handlers import verify_handlers

    spec = importlib.util.spec_from_file_location(f"handlers_of_{service['py']}", service["handlers"])
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    base = getattr(importlib.import_module(f"{service['py']}.handlers"), f"{service['prefix']}Handlers")
    verify_handlers(base, module.Handlers)
    handlers_class: type = module.Handlers
    return handlers_class


async def construct(service: dict[str, Any], handlers_class: type) -> None:
    """What main.serve_service builds before it serves, with the service's environment."""
    from rose_runtime.amqp import Broker
    from rose_runtime.service import Runtime

    py = service["py"]
    main = importlib.import_module(f"{py}.main")
    runtime = Runtime.from_env(service["env"])
    topology = getattr(_optional_module(f"{py}.messaging"), "TOPOLOGY", None)
    broker = Broker(runtime.settings, topology, runtime.metrics) if topology is not None else None
    deps = importlib.import_module(f"{py}.deps").build_deps(runtime, broker)
    handlers = handlers_class(deps)
    api = _optional_module(f"{py}.api")
    app = api.create_app(handlers, runtime) if api else main.probes_app(runtime)
    assert app.routes, "the app has no routes"
    grpc_service = _optional_module(f"{py}.grpc_service")
    if grpc_service is not None:
        from rose_runtime.grpc_server import create_server

        servicers = grpc_service.grpc_servicers(handlers, runtime.logger)
        create_server(runtime, 0, servicers, grpc_service.SERVICE_NAMES, grpc_service.METHOD_POLICIES)
    messaging = _optional_module(f"{py}.messaging")
    if messaging is not None and broker is not None:
        messaging.register_consumers(broker, handlers)
    await deps.close()


def _optional_module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise
        return None


if __name__ == "__main__":
    main()
