"""Run in a subprocess with PYTHONPATH=<generated services>:<handlers dir>: import one generated service, check
its contract and (with REST) its FastAPI app against openapi.json. Prints one JSON line with what it found.

Usage: python probe_service.py <python_name> <ClassPrefix>
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any


def main(py: str, prefix: str) -> None:
    report: dict[str, Any] = {"modules": []}
    for name in ("models", "handlers", "deps", "main", "api", "rest_client", "grpc_service", "grpc_client",
                 "messaging", "convert"):
        try:
            importlib.import_module(f"{py}.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"{py}.{name}":
                raise
            continue
        report["modules"].append(name)

    from handlers import Handlers
    from rose_runtime.handlers import verify_handlers

    base = getattr(importlib.import_module(f"{py}.handlers"), f"{prefix}Handlers")
    verify_handlers(base, Handlers)
    handlers = Handlers(None)
    report["abstract"] = sorted(base.__abstractmethods__)

    if "api" in report["modules"]:
        report["openapi"] = check_app(py, handlers)
    print(json.dumps(report))


def check_app(py: str, handlers: Any) -> dict[str, Any]:
    from fastapi.openapi.utils import get_openapi
    from rose_runtime.runtime import Runtime
    from rose_runtime.settings import Settings

    api = importlib.import_module(f"{py}.api")
    runtime = Runtime(Settings(system="test", service=py, environment="test", port=1))
    app = api.create_app(handlers, runtime)
    committed = api.openapi_document()
    assert app.openapi() == committed, "the app must serve openapi.json"
    derived = get_openapi(title="x", version="1", routes=app.routes)  # FastAPI's reading of the routes
    operations = {}
    for path, item in committed["paths"].items():
        for method, operation in item.items():
            mine = derived["paths"][path][method]
            assert mine["operationId"] == operation["operationId"], (path, method)
            params = [(p["in"], p["name"], p.get("required", False)) for p in mine.get("parameters", [])]
            expected = [(p["in"], p["name"], p["required"]) for p in operation.get("parameters", [])]
            assert params == expected, (path, method, params, expected)
            assert str(next(iter(operation["responses"]))) in mine["responses"], (path, method)
            operations[operation["operationId"]] = f"{method.upper()} {path}"
    return operations


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
