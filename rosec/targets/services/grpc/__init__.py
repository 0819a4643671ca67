"""The gRPC part of the `services` target: per service with gRPC methods, under services/<py>/:

- v1/<py>.proto (proto3, package <py>.v1) and services/buf.yaml (the services dir is the buf module root);
- v1/<py>_pb2.py, _pb2.pyi, _pb2_grpc.py compiled by grpcio-tools' protoc in one in-process run, v1/__init__.py;
- convert.py (pydantic <-> protobuf), grpc_service.py (servicer delegating to the handlers, SERVICE_NAMES,
  METHOD_POLICIES, grpc_servicers), grpc_client.py (<Prefix>GrpcClient).

Everything is a pure function of the System model, except that protoc needs a private temporary directory.
"""

from __future__ import annotations

from rosec.emit.serialize import text, to_yaml
from rosec.model.services import Service
from rosec.model.system import System
from rosec.targets.services.grpc.compiler import GRPCIO_TOOLS_PIN, compile_protos
from rosec.targets.services.grpc.modules import render_client, render_convert, render_service
from rosec.targets.services.grpc.proto import render_proto

__all__ = ["BUF_LINT_EXCEPTIONS", "GRPCIO_TOOLS_PIN", "grpc_services", "render_grpc"]

# The spec names an RPC's request and response messages, and shares them between RPCs on purpose
# (GetStock and WatchStock both take StockQuery and answer StockLevel). buf's STANDARD rules want a
# dedicated <Rpc>Request / <Rpc>Response per RPC; wrapping every message would add a level of nesting
# on the wire and in every client for no gain, so exactly these three rules are turned off.
BUF_LINT_EXCEPTIONS = ("RPC_REQUEST_RESPONSE_UNIQUE", "RPC_REQUEST_STANDARD_NAME", "RPC_RESPONSE_STANDARD_NAME")


def grpc_services(system: System) -> list[Service]:
    return [s for s in system.services if s.grpc_methods]


def render_grpc(system: System) -> dict[str, bytes]:
    services = grpc_services(system)
    if not services:
        return {}
    root = system.layout.services_dir
    protos = {service.proto_file: render_proto(service, system) for service in services}
    out: dict[str, bytes] = {f"{root}/buf.yaml": buf_yaml(system)}
    out |= {f"{root}/{path}": content for path, content in protos.items()}
    header = system.header().encode("utf-8")
    for path, content in compile_protos(protos).items():
        out[f"{root}/{path}"] = header + content
    for service in services:
        base = f"{root}/{service.python_name}"
        out[f"{base}/v1/__init__.py"] = text(system.header() + f'"""Protobuf and gRPC code of {service.proto_package}'
                                             ' (compiled from the .proto beside it)."""')
        out[f"{base}/convert.py"] = render_convert(service, system)
        out[f"{base}/grpc_service.py"] = render_service(service, system)
        out[f"{base}/grpc_client.py"] = render_client(service, system)
    return dict(sorted(out.items()))


def buf_yaml(system: System) -> bytes:
    data = {
        "version": "v2",
        "lint": {
            "use": ["STANDARD"],
            "except": list(BUF_LINT_EXCEPTIONS),
        },
        "breaking": {"use": ["FILE"]},
    }
    comment = ("# Lint STANDARD, except the rules that want a dedicated <Rpc>Request/<Rpc>Response message per RPC:\n"
               "# rose.yaml names each RPC's messages and may share them between RPCs on purpose.\n")
    return to_yaml(data, header=system.header() + comment)
