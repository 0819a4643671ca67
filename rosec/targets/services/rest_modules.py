"""The REST modules of a service: api.py (the FastAPI routes that call its handlers) and rest_client.py (the
client its callers use)."""

from __future__ import annotations

import re
from typing import Any

from rosec.model.services import Endpoint, Param, Service
from rosec.model.system import System
from rosec.spec.types import TypeRef
from rosec.targets.services import python_types
from rosec.targets.services.modules import base_class, rest_client_class
from rosec.targets.services.openapi import API_VERSION
from rosec.targets.services.signatures import REQUEST_CONTEXT, handlers
from rosec.targets.services.templating import Imports, py_str, py_value, render

# -- api.py --------------------------------------------------------------------------------------------------
# Starlette only matches {placeholders} that are Python identifiers: a path parameter like {trip.id} is routed by
# its Python name instead (FastAPI then reports it under that name).
_ROUTE_PLACEHOLDER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _placeholder(param: Param) -> str:
    return param.wire_name if _ROUTE_PLACEHOLDER.fullmatch(param.wire_name) else param.python_name


def route_path(endpoint: Endpoint) -> str:
    """The path FastAPI routes: the endpoint's path with every {param} as its placeholder."""
    path = endpoint.path
    for param in endpoint.params:
        path = path.replace(f"{{{param.wire_name}}}", f"{{{_placeholder(param)}}}")
    return path


def _alias(name: str, python_name: str) -> str:
    return "" if name == python_name else f"alias={py_str(name)}"


def _route_parameters(endpoint: Endpoint) -> list[str]:
    """Keyword-only parameters of the route function: path, body, query (with defaults), the caller.

    `_principal` starts with an underscore, which no derived parameter name does (rosec.model.naming)."""
    params = [f"{p.python_name}: Annotated[{python_types.annotation(p.type)}, "
              f"Path({_alias(_placeholder(p), p.python_name)})]" for p in endpoint.params]
    if endpoint.request:
        params.append(f"body: Annotated[{endpoint.request}, Depends(json_body({endpoint.request}))]")
    for q in endpoint.query:
        annotation = python_types.annotation(q.type)
        query = "Query(default_factory=list" if q.type.kind == "list" else "Query("  # no mutable default (B006)
        alias = _alias(q.wire_name, q.python_name)
        query += (", " + alias if q.type.kind == "list" and alias else alias) + ")"
        default = " = None" if q.type.kind == "optional" else ""
        params.append(f"{q.python_name}: Annotated[{annotation}, {query}]{default}")
    roles = py_value(tuple(endpoint.roles))
    params.append(f"_principal: Annotated[Principal | None, Depends(require({roles}, public={endpoint.public}))]")
    return params


def api_module(system: System, service: Service) -> bytes:
    routes = []
    refs: list[TypeRef] = []
    for endpoint, handler in zip(service.endpoints, handlers(service), strict=False):
        refs += [p.type for p in (*endpoint.params, *endpoint.query)]
        routes.append({
            "method": endpoint.method.lower(),
            "path": route_path(endpoint),
            "operation_id": endpoint.operation_id,
            "status": endpoint.status,
            "response": endpoint.response,
            "parameters": _route_parameters(endpoint),
            "arguments": ", ".join("_context(_principal)" if p.name == "ctx" else p.name for p in handler.parameters),
            "summary": endpoint.summary,
        })
    models = sorted({n for e in service.endpoints for n in (e.request, e.response) if n}
                    | {n for r in refs for n in r.references()})
    imports = Imports().add("json").add("pathlib").add("typing", "Annotated", "Any", "TypeVar")
    imports.add("collections.abc", "Awaitable", "Callable")
    imports.add("fastapi", "Depends", "FastAPI", "Request").add("fastapi.exceptions", "RequestValidationError")
    imports.add("pydantic", "BaseModel", "ValidationError")
    imports.add_lines(python_types.scalar_imports(refs))
    if any(e.params for e in service.endpoints):
        imports.add("fastapi", "Path")
    if any(e.query for e in service.endpoints):
        imports.add("fastapi", "Query")
    if any(not e.response for e in service.endpoints):
        imports.add("fastapi", "Response")
    imports.add("rose_runtime.auth", "Principal").add("rose_runtime.context", REQUEST_CONTEXT)
    imports.add("rose_runtime.errors", "Problem").add("rose_runtime.logs", "current_correlation_id")
    imports.add("rose_runtime.http", "install", "require").add("rose_runtime.runtime", "Runtime")
    imports.add(f"{service.python_name}.handlers", base_class(service))
    if models:
        imports.add(f"{service.python_name}.models", *models)
    return render("api.py.jinja", header=system.header(), service=service, base=base_class(service),
                  imports=imports.render(service.python_name), routes=routes, title=f"{system.name} {service.name}",
                  version=API_VERSION)


# -- rest_client.py ------------------------------------------------------------------------------------------
def _client_path(endpoint: Endpoint) -> str:
    """`"/orders"` or `f"/orders/{_segment(id)}"`: the path segments are safe characters by the spec's pattern."""
    if not endpoint.params:
        return py_str(endpoint.path)
    path = endpoint.path
    for param in endpoint.params:
        path = path.replace(f"{{{param.wire_name}}}", f"{{_segment({param.python_name})}}")
    return "f" + py_str(path)


def _client_method(endpoint: Endpoint) -> dict[str, Any]:
    parameters = [f"{p.python_name}: {python_types.annotation(p.type)}" for p in endpoint.params]
    if endpoint.request:
        parameters.append(f"body: {endpoint.request}")
    if endpoint.query:
        parameters.append("*")
    for q in endpoint.query:
        annotation = python_types.annotation(q.type)
        if q.type.kind == "optional":
            parameters.append(f"{q.python_name}: {annotation} = None")
        elif q.type.kind == "list":
            parameters.append(f"{q.python_name}: {annotation} | None = None")
        else:
            parameters.append(f"{q.python_name}: {annotation}")
    doc = f"{endpoint.method} {endpoint.path}" + (f": {endpoint.summary}" if endpoint.summary else "")
    arguments = [py_str(endpoint.method), _client_path(endpoint)]
    if endpoint.request:
        arguments.append('json=body.model_dump(mode="json", by_alias=True)')
    if endpoint.query:
        arguments.append("params={" + ", ".join(f"{py_str(q.wire_name)}: _query({q.python_name})"
                                                for q in endpoint.query) + "}")
    call = f"await self.http.request({', '.join(arguments)})"
    return {"name": endpoint.operation_id, "parameters": parameters, "returns": endpoint.response or "None",
            "doc": doc, "call": f"response = {call}" if endpoint.response else call}


def rest_client_module(system: System, service: Service) -> bytes:
    refs = [p.type for e in service.endpoints for p in (*e.params, *e.query)]
    models = sorted({n for e in service.endpoints for n in (e.request, e.response) if n}
                    | {n for r in refs for n in r.references()})
    imports = Imports().add("base64").add("datetime", "date", "datetime").add("enum", "Enum")
    imports.add("typing", "Any").add("urllib.parse", "quote")
    imports.add_lines(python_types.scalar_imports(refs))
    imports.add("rose_runtime.clients", "HttpClient").add("rose_runtime.runtime", "Runtime")
    if models:
        imports.add(f"{service.python_name}.models", *models)
    return render("rest_client.py.jinja", header=system.header(), service=service,
                  client=rest_client_class(service), imports=imports.render(service.python_name),
                  methods=[_client_method(e) for e in service.endpoints])
