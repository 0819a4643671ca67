"""Problem: the one error type handlers raise; RFC 9457 for HTTP, a status code for gRPC."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import grpc

_GRPC_CODES: Mapping[int, grpc.StatusCode] = {
    400: grpc.StatusCode.INVALID_ARGUMENT,
    401: grpc.StatusCode.UNAUTHENTICATED,
    403: grpc.StatusCode.PERMISSION_DENIED,
    404: grpc.StatusCode.NOT_FOUND,
    409: grpc.StatusCode.ALREADY_EXISTS,
    412: grpc.StatusCode.FAILED_PRECONDITION,
    429: grpc.StatusCode.RESOURCE_EXHAUSTED,
    501: grpc.StatusCode.UNIMPLEMENTED,  # what a scaffolded handler raises until it is written
    503: grpc.StatusCode.UNAVAILABLE,
}

_HTTP_STATUSES: Mapping[grpc.StatusCode, int] = {
    **{code: status for status, code in _GRPC_CODES.items()},
    grpc.StatusCode.OK: 200,
    grpc.StatusCode.CANCELLED: 499,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.ABORTED: 409,
}

# Fields defined by RFC 9457; `extra` may not overwrite them.
_STANDARD_FIELDS = frozenset({"type", "title", "status", "detail", "instance"})


class Problem(Exception):  # noqa: N818 - the RFC's name for it
    """An error with an HTTP status, reported as application/problem+json (RFC 9457)."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        type: str = "about:blank",
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if not 400 <= status <= 599:
            raise ValueError(f"a problem's status must be 4xx or 5xx, not {status}")
        clash = _STANDARD_FIELDS & set(extra or {})
        if clash:
            raise ValueError(f"extra fields may not replace standard problem fields: {sorted(clash)}")
        super().__init__(f"{status} {title}" + (f": {detail}" if detail else ""))
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type
        self.extra: dict[str, Any] = dict(extra or {})
        self.headers: dict[str, str] = dict(headers or {})

    @classmethod
    def of_status(cls, status: int, detail: str | None = None, **kwargs: Any) -> Problem:
        """A problem titled with the standard reason phrase of `status`."""
        return cls(status, reason_phrase(status), detail, **kwargs)

    def to_json(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status}
        if self.detail is not None:
            body["detail"] = self.detail
        if instance is not None:
            body["instance"] = instance
        body.update(self.extra)
        return body

    @property
    def grpc_code(self) -> grpc.StatusCode:
        return grpc_code(self.status)

    @property
    def message(self) -> str:
        """Title and detail in one line, for gRPC status details and logs."""
        return f"{self.title}: {self.detail}" if self.detail else self.title


def grpc_code(status: int) -> grpc.StatusCode:
    """The gRPC code for an HTTP status (docs/services.md); anything unlisted is INTERNAL."""
    return _GRPC_CODES.get(status, grpc.StatusCode.INTERNAL)


def http_status(code: grpc.StatusCode) -> int:
    """The HTTP status for a gRPC code, for clients turning an RPC error into a Problem."""
    return _HTTP_STATUSES.get(code, 500)


def reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
