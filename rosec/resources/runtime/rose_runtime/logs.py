"""Structured logs: one ECS (Elastic Common Schema) JSON object per line on stdout.

Every line carries `@timestamp`, `log.level`, `message`, `ecs.version`, `log.logger`, `service.name`,
`service.environment` (and `service.version`, `event.dataset` when known), then the context of the request, RPC
or message being handled: `rose.correlation_id`, `trace.id`, `transaction.id`, `rose.route`, `rose.grpc.method`,
`rose.event`. Keys are flat and dotted as ECS names them (Elasticsearch expands the dots). `extra=` fields whose
name has a dot are ECS or `rose.` fields the runtime sets; any other name is a handler's own field, written as
`labels.<name>` (ECS's place for custom keyword values). An exception becomes `error.type`, `error.message` and
`error.stack_trace`. The rosec model maps exactly these fields in Elasticsearch (rosec.model.logs.LOG_FIELDS).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_METADATA = "x-request-id"
ECS_VERSION = "8.11.0"

correlation_id: ContextVar[str | None] = ContextVar("rose_correlation_id", default=None)
_SCOPE_FIELDS = {  # log_scope() argument -> the field it sets on every line inside the scope
    "correlation_id": "rose.correlation_id",
    "trace_id": "trace.id",
    "transaction_id": "transaction.id",
    "route": "rose.route",
    "grpc_method": "rose.grpc.method",
    "event": "rose.event",
}
_SCOPE_VARS: Mapping[str, ContextVar[str | None]] = {
    name: correlation_id if name == "correlation_id" else ContextVar(f"rose_{name}", default=None)
    for name in _SCOPE_FIELDS
}

# A caller's id is echoed into our logs and headers: accept only short, plain tokens.
_VALID_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

# Attributes every LogRecord has; anything else on a record came from `extra=` and is logged as a field.
# (uvicorn adds `color_message`, the message with terminal colour codes: not wanted in JSON.)
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",
}
# What `extra=` may not replace: the line's own time, level, text and origin.
_PROTECTED = frozenset({"@timestamp", "log.level", "message", "ecs.version", "log.logger"})


def new_correlation_id() -> str:
    return uuid.uuid4().hex


def accept_correlation_id(value: str | bytes | None) -> str:
    """The caller's id if it is a plain token of at most 128 characters, else a fresh one."""
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if value and _VALID_ID.fullmatch(value):
        return value
    return new_correlation_id()


def correlation_id_from_headers(headers: Mapping[str, str]) -> str:
    """From the X-Request-ID header of an HTTP request (case-insensitive mapping such as Starlette's)."""
    return accept_correlation_id(headers.get(REQUEST_ID_HEADER))


def correlation_id_from_metadata(metadata: Iterable[tuple[str, str | bytes]] | None) -> str:
    """From the x-request-id key of gRPC invocation metadata."""
    for key, value in metadata or ():
        if key.lower() == REQUEST_ID_METADATA:
            return accept_correlation_id(value)
    return new_correlation_id()


def correlation_id_from_message(message_correlation_id: str | None) -> str:
    """From the correlation_id property of an AMQP message."""
    return accept_correlation_id(message_correlation_id)


def current_correlation_id() -> str:
    """The id of the request or message being handled, or a fresh one outside any (e.g. a startup task)."""
    return correlation_id.get() or new_correlation_id()


@contextmanager
def log_scope(
    *,
    correlation_id: str | None = None,
    trace_id: str | None = None,
    transaction_id: str | None = None,
    route: str | None = None,
    grpc_method: str | None = None,
    event: str | None = None,
) -> Iterator[None]:
    """Set the given log fields for the code inside; the previous values come back afterwards."""
    values = {
        "correlation_id": correlation_id,
        "trace_id": trace_id,
        "transaction_id": transaction_id,
        "route": route,
        "grpc_method": grpc_method,
        "event": event,
    }
    tokens = [(_SCOPE_VARS[name], _SCOPE_VARS[name].set(value)) for name, value in values.items() if value is not None]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


def set_route(route: str) -> None:
    """Record the route template once routing has chosen it (HTTP requests run in their own task)."""
    _SCOPE_VARS["route"].set(route)


def duration_ns(seconds: float) -> int:
    """`event.duration`: ECS counts it in nanoseconds."""
    return round(seconds * 1_000_000_000)


class JsonFormatter(logging.Formatter):
    """One ECS JSON object per line (see the module docstring for the fields)."""

    def __init__(self, service: str, environment: str, version: str | None = None, dataset: str | None = None) -> None:
        super().__init__()
        self.service_fields = {"service.name": service, "service.environment": environment}
        if version:
            self.service_fields["service.version"] = version
        if dataset:
            self.service_fields["event.dataset"] = dataset

    def format(self, record: logging.LogRecord) -> str:
        timestamp = datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
        entry: dict[str, Any] = {
            "@timestamp": timestamp.replace("+00:00", "Z"),
            "log.level": record.levelname.lower(),
            "message": record.getMessage(),
            "ecs.version": ECS_VERSION,
            "log.logger": record.name,
            **self.service_fields,
        }
        for name, field in _SCOPE_FIELDS.items():
            value = _SCOPE_VARS[name].get()
            if value is not None:
                entry[field] = value
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_"):
                field, field_value = _extra_field(key, value)
                if field not in _PROTECTED:
                    entry[field] = field_value
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            entry["error.type"] = type(error).__qualname__
            entry["error.message"] = str(error)
            entry["error.stack_trace"] = self.formatException(record.exc_info)
        elif record.stack_info:
            entry["error.stack_trace"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def _extra_field(key: str, value: Any) -> tuple[str, Any]:
    """An `extra=` item as a field: dotted names as they are, others as a keyword label (scalars only)."""
    if "." in key:
        return key, value
    if value is not None and not isinstance(value, str | int | float | bool):
        value = json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)
    return f"labels.{key}", value


class ServiceLogger(logging.LoggerAdapter[logging.Logger]):
    """A logger that merges its fixed fields with the `extra=` of each call (3.11's adapter replaces them)."""

    def process(self, msg: Any, kwargs: Any) -> tuple[Any, Any]:
        kwargs["extra"] = {**(self.extra or {}), **(kwargs.get("extra") or {})}
        return msg, kwargs


def configure_logging(
    service: str,
    environment: str,
    level: str = "INFO",
    stream: TextIO | None = None,
    *,
    version: str | None = None,
    dataset: str | None = None,
) -> None:
    """Route every log record of the process (ours, uvicorn's, aio-pika's) to stdout as JSON lines.

    Logging is process-wide by nature: call this once, from the service's entry point, never from library code.
    """
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(JsonFormatter(service, environment, version, dataset))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    # aio-pika and aiormq report every reconnect attempt at INFO; keep their warnings and errors.
    for name in ("aio_pika", "aiormq"):
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
