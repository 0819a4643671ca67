"""Calls to peer services: HTTP (httpx) and gRPC channels that carry the correlation id, a token of this service
for the peer's audience (client credentials, rose_runtime.tokens), and whom the call is made for."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import grpc
import httpx

from .auth import ON_BEHALF_OF_HEADER, ON_BEHALF_OF_METADATA
from .context import current_principal
from .errors import Problem, http_status, reason_phrase
from .logs import REQUEST_ID_HEADER, REQUEST_ID_METADATA, current_correlation_id
from .tokens import TokenSource
from .tracing import trace_headers

if TYPE_CHECKING:
    from .runtime import Runtime

DEFAULT_TIMEOUT = 5.0
DEFAULT_RETRIES = 2
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
PROBLEM_JSON = "application/problem+json"

_Request = TypeVar("_Request")
_Response = TypeVar("_Response")
Requests = AsyncIterable[_Request] | Iterable[_Request]  # what a client-streaming call takes: Requests[Model]


def outgoing_headers() -> dict[str, str]:
    """X-Request-ID of the current request (or a fresh one), its trace (`sentry-trace`, `baggage`), and
    X-Rose-On-Behalf-Of: whom this service serves (the caller's subject, or whom a calling service acts for). The
    caller's own token never travels on."""
    headers = {REQUEST_ID_HEADER: current_correlation_id(), **trace_headers()}
    principal = current_principal.get()
    if principal is not None:
        headers[ON_BEHALF_OF_HEADER] = principal.acting_for
    return headers


async def bearer(tokens: TokenSource | None, audience: str | None) -> str | None:
    """`Bearer <token>` of this service for the peer's audience; None without client credentials."""
    if tokens is None or audience is None:
        return None
    token = await tokens.token(audience)
    return f"Bearer {token}" if token else None


class HttpClient:
    """An httpx.AsyncClient for one peer: per-request timeout, bounded retries with exponential backoff for
    idempotent methods on transport errors, and non-2xx answers raised as Problem. With an `audience` and a
    runtime that has client credentials, every request carries this service's token for that audience."""

    def __init__(
        self,
        base_url: str,
        runtime: Runtime | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        backoff: float = 0.1,
        transport: httpx.AsyncBaseTransport | None = None,
        audience: str | None = None,
        tokens: TokenSource | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.audience = audience
        self._tokens = tokens if tokens is not None else runtime.tokens if runtime else None
        self.retries = retries
        self.backoff = backoff
        self._log = runtime.logger_for("rose.clients") if runtime else logging.getLogger("rose.clients")
        user_agent = f"rose-{runtime.settings.service}" if runtime else "rose"
        self._client = httpx.AsyncClient(
            base_url=self.base_url, timeout=timeout, transport=transport, headers={"User-Agent": user_agent}
        )

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """The 2xx response; Problem with the peer's status for any other, 503 when the peer cannot be reached."""
        method = method.upper()
        merged = {**outgoing_headers(), **(headers or {})}
        authorization = await bearer(self._tokens, self.audience)
        if authorization and "Authorization" not in merged:
            merged["Authorization"] = authorization
        attempts = 1 + (self.retries if method in IDEMPOTENT_METHODS else 0)
        extra: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        for attempt in range(1, attempts + 1):
            try:
                response = await self._client.request(
                    method, path, json=json, params=_params(params), headers=merged, **extra
                )
                break
            except httpx.TransportError as error:
                if attempt == attempts:
                    self._log.warning(
                        "%s %s%s failed after %d attempt(s): %r", method, self.base_url, path, attempt, error
                    )
                    raise Problem(503, "Service Unavailable", f"{self.base_url} could not be reached") from error
                delay = self.backoff * 2 ** (attempt - 1)
                self._log.info("%s %s%s failed (%r), retrying in %.2f s", method, self.base_url, path, error, delay)
                await asyncio.sleep(delay)
        if response.is_success:
            return response
        raise problem_from_response(response)

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", path, **kwargs)

    async def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PUT", path, **kwargs)

    async def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PATCH", path, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", path, **kwargs)


def problem_from_response(response: httpx.Response) -> Problem:
    """A Problem with the response's status; title, detail and type from its problem+json body when it has one."""
    status = response.status_code if 400 <= response.status_code <= 599 else 502
    phrase = reason_phrase(status)
    if response.headers.get("content-type", "").split(";")[0].strip() == PROBLEM_JSON:
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            title, detail, kind = body.get("title"), body.get("detail"), body.get("type")
            return Problem(
                status,
                title if isinstance(title, str) else phrase,
                detail if isinstance(detail, str) else None,
                type=kind if isinstance(kind, str) else "about:blank",
            )
    return Problem(
        status, phrase, f"{response.request.method} {response.request.url.path} answered {response.status_code}"
    )


def grpc_metadata() -> tuple[tuple[str, str], ...]:
    """Metadata for an outgoing RPC: x-request-id, the trace and x-rose-on-behalf-of (see outgoing_headers)."""
    metadata = [(REQUEST_ID_METADATA, current_correlation_id()), *trace_headers().items()]
    principal = current_principal.get()
    if principal is not None:
        metadata.append((ON_BEHALF_OF_METADATA, principal.acting_for))
    return tuple(metadata)


def grpc_channel(
    target: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    options: tuple[tuple[str, Any], ...] = (),
    tokens: TokenSource | None = None,
    audience: str | None = None,
) -> grpc.aio.Channel:
    """An insecure channel to host:port whose calls carry grpc_metadata(), this service's token for `audience`
    (with `tokens`), and a deadline of `timeout` seconds unless the call gives its own."""
    interceptors: list[grpc.aio.ClientInterceptor] = [
        kind(timeout, tokens, audience) for kind in (_UnaryUnary, _UnaryStream, _StreamUnary, _StreamStream)
    ]
    return grpc.aio.insecure_channel(target, options=list(options), interceptors=interceptors)


def problem_from_rpc_error(error: grpc.aio.AioRpcError) -> Problem:
    status = http_status(error.code())
    title = reason_phrase(status)
    detail = error.details() or None
    if detail and detail.startswith(f"{title}: "):  # servers send Problem.message, "Title: detail"
        detail = detail[len(title) + 2 :]
    return Problem(status if status >= 400 else 502, title, detail if detail != title else None)


class _Propagating:
    """Adds the propagated metadata and the token (without replacing keys the caller set) and the default
    deadline."""

    def __init__(self, timeout: float, tokens: TokenSource | None, audience: str | None) -> None:
        self._timeout = timeout
        self._tokens = tokens
        self._audience = audience

    async def _details(self, details: grpc.aio.ClientCallDetails) -> grpc.aio.ClientCallDetails:
        metadata = grpc.aio.Metadata(*(tuple(details.metadata or ())))
        authorization = await bearer(self._tokens, self._audience)
        added = grpc_metadata() + ((("authorization", authorization),) if authorization else ())
        for key, value in added:
            if metadata.get(key) is None:
                metadata.add(key, value)
        return grpc.aio.ClientCallDetails(
            details.method,
            details.timeout if details.timeout is not None else self._timeout,
            metadata,
            details.credentials,
            details.wait_for_ready,
        )


_Details = grpc.aio.ClientCallDetails


class _UnaryUnary(_Propagating, grpc.aio.UnaryUnaryClientInterceptor):
    async def intercept_unary_unary(
        self,
        continuation: Callable[[_Details, _Request], Awaitable[grpc.aio.UnaryUnaryCall[_Request, _Response]]],
        client_call_details: _Details,
        request: _Request,
    ) -> grpc.aio.UnaryUnaryCall[_Request, _Response]:
        return await continuation(await self._details(client_call_details), request)


class _UnaryStream(_Propagating, grpc.aio.UnaryStreamClientInterceptor):
    async def intercept_unary_stream(
        self,
        continuation: Callable[[_Details, _Request], Awaitable[grpc.aio.UnaryStreamCall[_Request, _Response]]],
        client_call_details: _Details,
        request: _Request,
    ) -> grpc.aio.UnaryStreamCall[_Request, _Response]:
        return await continuation(await self._details(client_call_details), request)


class _StreamUnary(_Propagating, grpc.aio.StreamUnaryClientInterceptor):
    async def intercept_stream_unary(
        self,
        continuation: Callable[
            [_Details, Requests[_Request]], Awaitable[grpc.aio.StreamUnaryCall[_Request, _Response]]
        ],
        client_call_details: _Details,
        request_iterator: Requests[_Request],
    ) -> grpc.aio.StreamUnaryCall[_Request, _Response]:
        return await continuation(await self._details(client_call_details), request_iterator)


class _StreamStream(_Propagating, grpc.aio.StreamStreamClientInterceptor):
    async def intercept_stream_stream(
        self,
        continuation: Callable[
            [_Details, Requests[_Request]], Awaitable[grpc.aio.StreamStreamCall[_Request, _Response]]
        ],
        client_call_details: _Details,
        request_iterator: Requests[_Request],
    ) -> grpc.aio.StreamStreamCall[_Request, _Response]:
        return await continuation(await self._details(client_call_details), request_iterator)


def _params(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Query parameters without the None values (optional parameters left out)."""
    if params is None:
        return None
    return {k: v for k, v in params.items() if v is not None}
