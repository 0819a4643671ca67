"""Structured logs: JSON lines on stdout, with the correlation id and the current route, RPC or event."""

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

correlation_id: ContextVar[str | None] = ContextVar("rose_correlation_id", default=None)
_route: ContextVar[str | None] = ContextVar("rose_route", default=None)
_grpc_method: ContextVar[str | None] = ContextVar("rose_grpc_method", default=None)
_event: ContextVar[str | None] = ContextVar("rose_event", default=None)
_SCOPE_VARS: Mapping[str, ContextVar[str | None]] = {
    "correlation_id": correlation_id,
    "route": _route,
    "grpc_method": _grpc_method,
    "event": _event,
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
_OWN_FIELDS = ("ts", "level", "service", "environment", "logger", "message", "correlation_id")


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
    route: str | None = None,
    grpc_method: str | None = None,
    event: str | None = None,
) -> Iterator[None]:
    """Set the given log fields for the code inside; the previous values come back afterwards."""
    values = {"correlation_id": correlation_id, "route": route, "grpc_method": grpc_method, "event": event}
    tokens = [(_SCOPE_VARS[name], _SCOPE_VARS[name].set(value)) for name, value in values.items() if value is not None]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


def set_route(route: str) -> None:
    """Record the route template once routing has chosen it (HTTP requests run in their own task)."""
    _route.set(route)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, service, environment, logger, message, correlation_id, then
    route / grpc_method / event when set, fields passed with `extra=`, and the exception if any."""

    def __init__(self, service: str, environment: str) -> None:
        super().__init__()
        self.service = service
        self.environment = environment

    def format(self, record: logging.LogRecord) -> str:
        ts = datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
        entry: dict[str, Any] = {
            "ts": ts.replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "service": getattr(record, "service", None) or self.service,
            "environment": getattr(record, "environment", None) or self.environment,
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": correlation_id.get(),
        }
        for name in ("route", "grpc_method", "event"):
            value = _SCOPE_VARS[name].get()
            if value is not None:
                entry[name] = value
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and key not in _OWN_FIELDS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class ServiceLogger(logging.LoggerAdapter[logging.Logger]):
    """A logger that merges its fixed fields with the `extra=` of each call (3.11's adapter replaces them)."""

    def process(self, msg: Any, kwargs: Any) -> tuple[Any, Any]:
        kwargs["extra"] = {**(self.extra or {}), **(kwargs.get("extra") or {})}
        return msg, kwargs


def configure_logging(service: str, environment: str, level: str = "INFO", stream: TextIO | None = None) -> None:
    """Route every log record of the process (ours, uvicorn's, aio-pika's) to stdout as JSON lines.

    Logging is process-wide by nature: call this once, from the service's entry point, never from library code.
    """
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(JsonFormatter(service, environment))
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
