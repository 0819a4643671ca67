"""The OpenAPI 3.1 document of a service's REST API, built as data from the model.

The generated FastAPI app serves exactly this document (api.py loads openapi.json), so the contract that
clients, the gateway and schemathesis see is the one rosec derived, not FastAPI's rendering of it.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from rosec.model.services import Endpoint, Service
from rosec.model.system import System
from rosec.spec.types import TypeRef
from rosec.targets.services import json_schema

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"
SCHEMA_PREFIX = "#/components/schemas/"
PROBLEM = "Problem"
PROBLEM_JSON = "application/problem+json"
SECURITY_SCHEME = "bearerAuth"
# Problem responses every operation documents; 401 and 403 only where a token is required, 409 only where
# the operation changes state; 503 when a datastore, the broker or a called service is unavailable.
# Fixed reason phrases: Python 3.13 renamed some of http.HTTPStatus's, and the output must not depend on that.
ERROR_PHRASES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
                 422: "Unprocessable Content", 500: "Internal Server Error", 503: "Service Unavailable"}
ERROR_STATUSES = tuple(ERROR_PHRASES)
AUTH_STATUSES = frozenset({401, 403})
CONFLICT = 409
READ_ONLY_METHODS = frozenset({"GET"})


def document(system: System, service: Service) -> dict[str, Any]:
    secured = any(not e.public for e in service.endpoints)
    used = {s for e in service.endpoints for s in _error_statuses(e)}
    components: dict[str, Any] = {"schemas": {**json_schema.component_schemas(system, _schema_names(system, service),
                                                                              SCHEMA_PREFIX),
                                              PROBLEM: problem_schema()},
                                  "responses": {_response_name(s): _problem_response(s)
                                                for s in ERROR_STATUSES if s in used}}
    if secured:
        components["securitySchemes"] = {SECURITY_SCHEME: {
            "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
            "description": "An access token of the identity provider"
                           + (f" (realm {system.identity.realm})" if system.identity else "") + ".",
        }}
    info: dict[str, Any] = {"title": f"{system.name} {service.name}", "version": API_VERSION}
    if service.description:
        info["description"] = service.description
    doc: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": info,
        "servers": _servers(system, service),
        "tags": [{"name": service.name,
                  "description": service.description or f"The REST API of the {service.name} service."}],
        "paths": _paths(service),
        "components": components,
    }
    return doc


def _schema_names(system: System, service: Service) -> tuple[str, ...]:
    """The records and enums the REST API reaches, in spec order."""
    records = system.messages_by_name
    pending = [name for e in service.endpoints for name in (e.request, e.response) if name]
    pending += [name for e in service.endpoints for p in (*e.params, *e.query) for name in p.type.references()]
    found: set[str] = set()
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            if name in records:
                pending += [n for f in records[name].fields for n in f.type.references()]
    return tuple(n for n in service.messages if n in found)


def _servers(system: System, service: Service) -> list[dict[str, str]]:
    servers = []
    if service.gateway:
        for env in system.environments:
            servers.append({"url": env.public_url + service.gateway.path,
                            "description": f"{env.name} ({env.hosting}), through the gateway"})
    servers.append({"url": f"http://{service.host}:{service.port}", "description": "inside the system network"})
    return servers


def _paths(service: Service) -> dict[str, dict[str, Any]]:
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in service.endpoints:
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = _operation(service, endpoint)
    return paths


def _operation(service: Service, endpoint: Endpoint) -> dict[str, Any]:
    operation: dict[str, Any] = {"operationId": endpoint.operation_id, "tags": [service.name],
                                 "summary": endpoint.summary or derived_summary(endpoint)}
    description = _access(endpoint)
    if description:
        operation["description"] = description
    parameters = [_parameter(p.wire_name, "path", p.type) for p in endpoint.params]
    parameters += [_parameter(q.wire_name, "query", q.type) for q in endpoint.query]
    if parameters:
        operation["parameters"] = parameters
    if endpoint.request:
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": {"$ref": SCHEMA_PREFIX + endpoint.request}}}}
    success: dict[str, Any] = {"description": _success_phrase(endpoint.status)}
    if endpoint.response:
        success["content"] = {"application/json": {"schema": {"$ref": SCHEMA_PREFIX + endpoint.response}}}
    responses: dict[str, Any] = {str(endpoint.status): success}
    for status in _error_statuses(endpoint):
        responses[str(status)] = {"$ref": f"#/components/responses/{_response_name(status)}"}
    operation["responses"] = responses
    operation["security"] = [] if endpoint.public else [{SECURITY_SCHEME: []}]
    return operation


def derived_summary(endpoint: Endpoint) -> str:
    """For an endpoint without `summary`: its operation id in words (get_orders_by_id -> "Get orders by id")."""
    return endpoint.operation_id.replace("_", " ").strip().capitalize()


def _error_statuses(endpoint: Endpoint) -> list[int]:
    """The problem responses the operation documents."""
    return [status for status in ERROR_STATUSES
            if not (endpoint.public and status in AUTH_STATUSES)
            and not (status == CONFLICT and endpoint.method in READ_ONLY_METHODS)]


def _access(endpoint: Endpoint) -> str:
    if endpoint.public:
        return "Public: no token needed."
    if endpoint.roles:
        return "Requires a bearer token with one of the roles: " + ", ".join(endpoint.roles) + "."
    return "Requires a bearer token."


def _parameter(name: str, location: str, ref: TypeRef) -> dict[str, Any]:
    required = location == "path" or ref.kind not in ("optional", "list")
    schema = json_schema.type_schema(ref.item if ref.kind == "optional" else ref, SCHEMA_PREFIX)
    parameter: dict[str, Any] = {"name": name, "in": location, "required": required, "schema": schema}
    if ref.kind == "list":
        parameter["style"] = "form"
        parameter["explode"] = True
    return parameter


def _success_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Success"


def _response_name(status: int) -> str:
    """422 -> UnprocessableContent"""
    return ERROR_PHRASES[status].replace(" ", "")


def _problem_response(status: int) -> dict[str, Any]:
    return {"description": f"{ERROR_PHRASES[status]} (RFC 9457 problem details)",
            "content": {PROBLEM_JSON: {"schema": {"$ref": SCHEMA_PREFIX + PROBLEM}}}}


def problem_schema() -> dict[str, Any]:
    """RFC 9457 problem details; extension members (e.g. `errors` of a 422) are allowed."""
    return {
        "type": "object",
        "title": PROBLEM,
        "description": "An error, as RFC 9457 problem details.",
        "properties": {
            "type": {"type": "string", "format": "uri-reference", "default": "about:blank"},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string"},
            "instance": {"type": "string", "format": "uri-reference"},
        },
        "required": ["type", "title", "status"],
        "additionalProperties": True,
    }
