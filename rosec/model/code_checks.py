"""Checks that keep the generated service code importable and its names unambiguous (docs/services.md).

Called from Checker.run; every finding is located in the spec like the other semantic checks.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from rosec.model import naming
from rosec.model.length_checks import check_name_lengths

if TYPE_CHECKING:
    from rosec.model.check_context import CheckContext

# Top-level imports of the generated services and their runtime; a service package of the same name would
# shadow them on the one PYTHONPATH every service runs with. `handlers` is the user's module.
RUNTIME_IMPORTS = frozenset({
    "fastapi", "pydantic", "pydantic_core", "grpc", "grpc_health", "grpc_reflection", "google", "jwt", "httpx",
    "httpcore", "aio_pika", "aiormq", "pamqp", "asyncpg", "prometheus_client", "sentry_sdk", "uvicorn",
    "starlette", "anyio", "handlers", "rose_runtime",
})
# Names that the generated modules which import the models by name (models, api, handlers, rest_client,
# messaging and the scaffolded handlers) import or define themselves; a message or enum must not take them.
# tests/services/test_code_checks.py keeps this list complete.
GENERATED_NAMES = frozenset({
    "Annotated", "Any", "AsyncIterator", "Awaitable", "AwareDatetime", "BaseModel", "BeforeValidator", "Broker",
    "Callable", "ConfigDict", "ConsumerTopology", "Decimal", "Depends", "Enum", "FastAPI", "Field", "Handlers",
    "HttpClient", "JsonBytes", "JsonDecimal", "JsonInt", "MessageContext", "Path", "PlainSerializer", "Principal",
    "Problem", "Protocol", "Publisher", "Query", "Request", "RequestContext", "RequestValidationError", "Response",
    "Runtime", "TOPOLOGY", "Topology", "TypeVar", "UUID", "ValidationError", "ValidationInfo", "AUDIENCE",
    "LifecycleHooks", "StrEnum",
    "DESCRIPTOR",  # defined by protoc's Python module next to the messages of a .proto
})


def check_generated_code(checker: CheckContext) -> None:
    spec = checker.spec
    class_names = {naming.generated_class(prefix, kind) for prefix in map(naming.pascal_case, spec.services)
                   for kind in naming.GeneratedClass}
    for name in spec.messages:
        if name in GENERATED_NAMES or name in class_names:
            checker.error(("messages", name), f"message name '{name}' is used by the generated service code",
                          f"rename it, e.g. '{name}Data'", at_key=True)
    for name in spec.services:
        check_service_package(checker, name)
        check_handler_names(checker, name)
        check_deps_fields(checker, name)
    check_identity_needed(checker)
    check_name_lengths(checker)


def check_service_package(checker: CheckContext, name: str) -> None:
    module = naming.python_identifier(name)
    if module in sys.stdlib_module_names:
        shadows = "a Python standard library module"
    elif module in RUNTIME_IMPORTS:
        shadows = "a module the generated services import"
    else:
        return
    checker.error(("services", name), f"service '{name}' would become the Python package '{module}', which "
                  f"shadows {shadows}", f"rename the service, e.g. '{name}-service'", at_key=True)


def check_handler_names(checker: CheckContext, name: str) -> None:
    """REST operation ids, gRPC handlers and consumer handlers share one class: they must all differ. (None takes a
    name the base class defines: the model derives them around naming.HANDLER_RESERVED.)"""
    service = checker.spec.services[name]
    base = ("services", name)
    entries = [((*base, "rest", i, "path"), naming.operation_id(e.method.value, e.path), "rest",
                f"rest[{i}] ({e.method.value} {e.path})") for i, e in enumerate(service.rest)]
    entries += [((*base, "grpc", i, "name"), naming.grpc_handler(m.name), "grpc", f"grpc[{i}] ({m.name})")
                for i, m in enumerate(service.grpc)]
    entries += [((*base, "consumes", i), naming.consumer_handler(e), "consumes", f"consumes[{i}] ({e})")
                for i, e in enumerate(service.consumes)]
    owners: dict[str, tuple[str, str]] = {}
    for path, handler, kind, what in entries:
        if handler in owners and owners[handler][0] != kind:  # clashes of one kind are reported with it
            checker.error(path, f"the handler of {what} would be named '{handler}', like the handler of "
                          f"{owners[handler][1]}", "rename one of them")
        owners.setdefault(handler, (kind, what))


def check_deps_fields(checker: CheckContext, name: str) -> None:
    """Datastores become fields of the service's Deps next to events, config, secrets and peer clients."""
    service = checker.spec.services[name]
    taken = {"events", "config", "secrets"}
    taken |= {f"{naming.python_identifier(peer)}_{kind}" for peer in service.calls for kind in ("rest", "grpc")}
    for i, store in enumerate(service.uses):
        field_name = naming.python_identifier(store)
        if field_name in taken:
            checker.error(("services", name, "uses", i), f"datastore '{store}' would become the field "
                          f"deps.{field_name}, which the generated code uses for something else",
                          "rename the datastore")


def check_identity_needed(checker: CheckContext) -> None:
    """Endpoints and methods that are not public verify a token: that needs an identity provider."""
    if checker.spec.identity is not None or checker.left_out("identity"):
        return
    for name, service in checker.spec.services.items():
        for kind, operations in (("rest", service.rest), ("grpc", service.grpc)):
            for i, operation in enumerate(operations):
                if operation.public or operation.roles:  # roles without identity are reported by check_roles
                    continue
                what = (f"{operation.method.value} {operation.path}" if kind == "rest"
                        else f"gRPC method {operation.name}")
                checker.missing(("services", name, kind, i, "public"), f"{what} requires a token, but no identity "
                                "provider is declared", "set `public: true`, or declare `identity: {realm: ..., "
                                "roles: [...]}`")
