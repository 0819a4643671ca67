"""The Python modules of a gRPC service: convert.py, grpc_service.py, grpc_client.py."""

from __future__ import annotations

from rosec.model.naming import GeneratedClass, generated_class
from rosec.model.services import GrpcMethod, Service
from rosec.model.system import System
from rosec.targets.services.grpc import naming
from rosec.targets.services.grpc.conversions import Conversions
from rosec.targets.services.grpc.templates import render
from rosec.targets.services.json_schema import DECIMAL_PATTERN
from rosec.targets.services.python_layout import lay_out_code_line
from rosec.targets.services.templating import Imports

DEFAULT_TIMEOUT_SECONDS = 5.0


def render_convert(service: Service, system: System) -> bytes:
    conversions = Conversions(service, system)
    definitions = conversions.definitions()  # first: records which helpers the expressions need
    kinds = conversions.kinds
    imports = []
    stdlib = []
    if "datetime" in kinds:
        stdlib.append("from datetime import UTC, date, datetime" if "date" in kinds else
                      "from datetime import UTC, datetime")
    elif "date" in kinds:
        stdlib.append("from datetime import date")
    if "decimal" in kinds:
        stdlib.append("from decimal import Decimal")
    if "decimal" in kinds or "date" in kinds:
        stdlib.insert(0, "import re")
    if "required" in kinds:
        stdlib.append("from typing import Any")
    if "uuid" in kinds:
        stdlib.append("from uuid import UUID")
    third_party = []
    if "required" in kinds:
        third_party.append("from google.protobuf.message import Message")
    if "datetime" in kinds:
        third_party.append("from google.protobuf.timestamp_pb2 import Timestamp")
    generated = [f"from {service.python_name} import models",
                 f"from {service.python_name}.v1 import {service.python_name}_pb2 as pb"]
    for group in (stdlib, third_party, generated):
        if group:
            imports += [*group, ""]
    return render("convert.py.jinja", header=system.header(), service=service.name, package=service.proto_package,
                  imports=imports[:-1], kinds=kinds, definitions=definitions, decimal_pattern=DECIMAL_PATTERN)


def method_kind(method: GrpcMethod) -> str:
    return {(False, False): "unary", (False, True): "server streaming", (True, False): "client streaming",
            (True, True): "bidirectional streaming"}[(method.client_streaming, method.server_streaming)]


def _servicer_def(method: GrpcMethod) -> str:
    request = (f"request_iterator: AsyncIterator[pb.{method.request}]" if method.client_streaming
               else f"request: pb.{method.request}")
    response = f"AsyncIterator[pb.{method.response}]" if method.server_streaming else f"pb.{method.response}"
    return lay_out_code_line(
        f"    async def {method.name}(self, {request}, context: grpc.aio.ServicerContext[Any, Any]) -> {response}:")


def _client_def(method: GrpcMethod) -> str:
    request = (f"requests: Requests[models.{method.request}]" if method.client_streaming
               else f"request: models.{method.request}")
    response = (f"AsyncIterator[models.{method.response}]" if method.server_streaming
                else f"models.{method.response}")
    return lay_out_code_line(
        f"    async def {method.handler}(self, {request}, *, timeout: float | None = None) -> {response}:")


def _decode(method: GrpcMethod) -> str:
    """The servicer's expression for the handler's request argument."""
    suffix = naming.function_suffix(method.request)
    if method.client_streaming:
        return f"_decode_stream(convert.from_pb_{suffix}, request_iterator)"
    return f"_decode(convert.from_pb_{suffix}, request)"


# grpc.aio.Channel's method for each (client_streaming, server_streaming); its MultiCallable type is named after it.
_CHANNEL_METHODS = {(False, False): "unary_unary", (False, True): "unary_stream", (True, False): "stream_unary",
                    (True, True): "stream_stream"}


def _multicallable(method: GrpcMethod) -> str:
    """grpc.aio's type of what the channel method returns: unary_stream -> UnaryStreamMultiCallable."""
    return _CHANNEL_METHODS[(method.client_streaming, method.server_streaming)].title().replace("_", "") + \
        "MultiCallable"


def _methods(service: Service) -> list[dict[str, object]]:
    return [{
        "servicer_def": _servicer_def(m),
        "client_def": _client_def(m),
        "decode": _decode(m),
        "decoded": "requests" if m.client_streaming else "model",
        "name": m.name,
        "handler": m.handler,
        "kind": method_kind(m),
        "client_streaming": m.client_streaming,
        "server_streaming": m.server_streaming,
        "request": m.request,
        "response": m.response,
        "request_suffix": naming.function_suffix(m.request),
        "response_suffix": naming.function_suffix(m.response),
        "full_method": f"/{naming.full_service_name(service)}/{m.name}",
        "channel_method": _CHANNEL_METHODS[(m.client_streaming, m.server_streaming)],
        "multicallable": _multicallable(m),
        "roles": m.roles,
        "public": m.public,
        "summary": m.summary,
    } for m in service.grpc_methods]


def _context(service: Service, system: System) -> dict[str, object]:
    methods = _methods(service)
    return {
        "header": system.header(),
        "service": service.name,
        "py": service.python_name,
        "handlers_class": generated_class(service.class_prefix, GeneratedClass.HANDLERS),
        "servicer_class": generated_class(service.class_prefix, GeneratedClass.SERVICER),
        "client_class": generated_class(service.class_prefix, GeneratedClass.GRPC_CLIENT),
        "proto_service": service.proto_service,
        "full_service": naming.full_service_name(service),
        "methods": methods,
        "models": sorted({name for m in service.grpc_methods for name in (m.request, m.response)}),
        "streams_in": any(m.client_streaming for m in service.grpc_methods),
        "streams_out": any(m.server_streaming for m in service.grpc_methods),
        "default_timeout": DEFAULT_TIMEOUT_SECONDS,
        "audience": service.client_id,
    }


def render_service(service: Service, system: System) -> bytes:
    py = service.python_name
    imports = Imports().add("logging").add("collections.abc", "Callable").add("grpc")
    imports.add("typing", "TYPE_CHECKING", "Any", "NoReturn", "TypeVar").add("typing_extensions", "override")
    if any(m.client_streaming or m.server_streaming for m in service.grpc_methods):
        imports.add("collections.abc", "AsyncIterator")
    imports.add("rose_runtime.context", "Logger", "RequestContext", "current_request_context")
    imports.add("rose_runtime.errors", "Problem")
    imports.add(py, "convert").add(f"{py}.v1", f"{py}_pb2 as pb", f"{py}_pb2_grpc as pb_grpc")
    return render("grpc_service.py.jinja", **_context(service, system), imports=imports.render(py))


def render_client(service: Service, system: System) -> bytes:
    py = service.python_name
    imports = Imports().add("collections.abc", "Callable").add("grpc")
    imports.add("typing", "TYPE_CHECKING", "Any", "TypeVar")
    if any(m.server_streaming for m in service.grpc_methods):
        imports.add("collections.abc", "AsyncIterator")
    if any(m.client_streaming for m in service.grpc_methods):
        imports.add("collections.abc", "AsyncIterable", "AsyncIterator").add("rose_runtime.clients", "Requests")
    imports.add("grpc.aio", *{_multicallable(m) for m in service.grpc_methods})
    imports.add("rose_runtime.clients", "grpc_channel", "problem_from_rpc_error")
    imports.add("rose_runtime.errors", "Problem")
    imports.add(py, "convert", "models").add(f"{py}.v1", f"{py}_pb2 as pb")
    return render("grpc_client.py.jinja", **_context(service, system), imports=imports.render(py))
