"""FastAPI wiring: correlation ids, metrics and access logs, problem+json errors, probes, auth dependencies."""

# No `from __future__ import annotations` here: FastAPI must see the dependencies' annotations as objects,
# and some of them are local to the factories below.

import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from .auth import ON_BEHALF_OF_HEADER, Principal, authenticate
from .context import RequestContext, current_principal
from .errors import Problem, reason_phrase
from .logs import REQUEST_ID_HEADER, accept_correlation_id, current_correlation_id, duration_ns, set_route
from .metrics import UNMATCHED_ROUTE
from .tracing import HTTP_SERVER, rename_transaction, trace_carrier, traced

if TYPE_CHECKING:
    from .runtime import Runtime

PROBLEM_JSON = "application/problem+json"
HEALTH_PATH, READY_PATH, METRICS_PATH = "/healthz", "/readyz", "/metrics"
# Probes and scrapes are neither counted in the request metrics (they would skew SLOs) nor logged above DEBUG.
_INFRASTRUCTURE_PATHS = frozenset({HEALTH_PATH, READY_PATH, METRICS_PATH})
_REQUEST_ID = REQUEST_ID_HEADER.lower().encode("latin-1")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def install(app: FastAPI, runtime: "Runtime") -> None:
    """Add the runtime's middleware, error handlers and the /healthz, /readyz and /metrics routes to `app`."""
    app.state.rose_runtime = runtime
    app.add_middleware(RoseMiddleware, runtime=runtime)
    app.add_exception_handler(Problem, _problem_handler)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_handler)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_exception_handler)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unhandled_handler)

    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    async def readyz() -> JSONResponse:
        checks = await runtime.readiness()
        ready = all(state == "ok" for state in checks.values())
        return JSONResponse(
            {"status": "ok" if ready else "unavailable", "checks": checks}, status_code=200 if ready else 503
        )

    async def metrics() -> Response:
        body, content_type = runtime.metrics.exposition()
        return Response(body, media_type=content_type)

    app.add_api_route(HEALTH_PATH, healthz, methods=["GET"], include_in_schema=False)
    app.add_api_route(READY_PATH, readyz, methods=["GET"], include_in_schema=False)
    app.add_api_route(METRICS_PATH, metrics, methods=["GET"], include_in_schema=False)


def declare_routes(app: Any, runtime: "Runtime") -> None:
    """Create the latency series of every API route of `app` before its first request (see ServiceMetrics)."""
    for route in getattr(app, "routes", ()):
        path, methods = getattr(route, "path", None), getattr(route, "methods", None)
        documented = getattr(route, "include_in_schema", True)  # /docs and /openapi.json are not
        if isinstance(path, str) and methods and documented and path not in _INFRASTRUCTURE_PATHS:
            for method in sorted(methods - {"HEAD"}):
                runtime.metrics.declare_http_route(method, path)


def probe_app(runtime: "Runtime") -> FastAPI:
    """An app with only /healthz, /readyz and /metrics, for a service without REST endpoints."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    install(app, runtime)
    return app


def problem_response(problem: Problem, instance: str | None = None) -> JSONResponse:
    return JSONResponse(
        problem.to_json(instance), status_code=problem.status, headers=problem.headers or None, media_type=PROBLEM_JSON
    )


def runtime_of(request: Request) -> "Runtime":
    runtime: Runtime | None = getattr(request.app.state, "rose_runtime", None)
    if runtime is None:
        raise RuntimeError("rose_runtime.http.install(app, runtime) was not called for this app")
    return runtime


def require(roles: tuple[str, ...] = (), public: bool = False) -> Callable[[Request], Awaitable[Principal | None]]:
    """A dependency that authenticates the caller: the Principal, or None for a public operation.

    401 (with `WWW-Authenticate: Bearer`) without a valid bearer token, 403 without one of `roles`.
    """

    async def dependency(request: Request) -> Principal | None:
        route = request.scope.get("route")
        if route is not None:
            set_route(route.path)
        principal = await authenticate(
            runtime_of(request).verifier,
            request.headers.get("Authorization"),
            roles,
            public,
            request.headers.get(ON_BEHALF_OF_HEADER),
        )
        request.state.principal = principal
        # Each request runs in its own task, so this never leaks into another request.
        current_principal.set(principal)
        return principal

    return dependency


def request_context(roles: tuple[str, ...] = (), public: bool = False) -> Callable[..., Awaitable[RequestContext]]:
    """A dependency giving handlers their RequestContext (principal from `require`, correlation id, logger)."""

    authenticated = Annotated[Principal | None, Depends(require(roles, public))]

    async def dependency(request: Request, principal: authenticated) -> RequestContext:
        return RequestContext(principal, current_correlation_id(), runtime_of(request).logger)

    return dependency


class RoseMiddleware:
    """Pure ASGI middleware (contextvars set here reach the endpoint): correlation id in and out, request
    metrics labelled with the route template, one structured access log line, and a problem+json 500 for
    anything unhandled."""

    def __init__(self, app: ASGIApp, runtime: "Runtime") -> None:
        self.app = app
        self.runtime = runtime
        self.logger = logging.getLogger("rose.http")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cid = accept_correlation_id(next((v for k, v in scope.get("headers", ()) if k.lower() == _REQUEST_ID), None))
        scope.setdefault("state", {})["correlation_id"] = cid
        status = 500
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                message["headers"] = [
                    *_without(message.get("headers", []), _REQUEST_ID),
                    (_REQUEST_ID, cid.encode("latin-1")),
                ]
            await send(message)

        start = time.perf_counter()
        carrier = trace_carrier(scope.get("headers"))
        name, infrastructure = f"{scope['method']} {scope['path']}", scope["path"] in _INFRASTRUCTURE_PATHS
        with traced(HTTP_SERVER, name, carrier, cid, infrastructure=infrastructure):
            try:
                await self.app(scope, receive, send_with_id)
            except Exception:
                self.logger.exception("unhandled error in %s %s", scope["method"], _route_of(scope))
                if started:
                    raise
                await problem_response(_internal_error())(scope, receive, send_with_id)
            finally:
                self._record(scope, status, time.perf_counter() - start)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        method, path, route = scope["method"], scope["path"], _route_of(scope)
        infrastructure = path in _INFRASTRUCTURE_PATHS
        if not infrastructure:
            self.runtime.metrics.observe_http(method, route, status, seconds)
            rename_transaction(f"{method} {route}")
        level = logging.DEBUG if infrastructure else logging.WARNING if status >= 500 else logging.INFO
        self.logger.log(
            level,
            "%s %s %d",
            method,
            route,
            status,
            extra={
                "http.request.method": method,
                "rose.route": route,
                "url.path": path,
                "http.response.status_code": status,
                "event.duration": duration_ns(seconds),
            },
        )


def _route_of(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED_ROUTE


def _without(headers: Any, name: bytes) -> list[tuple[bytes, bytes]]:
    return [(k, v) for k, v in headers if k.lower() != name]


def _internal_error() -> Problem:
    return Problem(500, "Internal Server Error", "The server failed to handle the request.")


async def _problem_handler(request: Request, problem: Problem) -> JSONResponse:
    if problem.status >= 500:
        logging.getLogger("rose.http").warning("request failed: %s", problem)
    return problem_response(problem)


async def _validation_handler(request: Request, error: RequestValidationError) -> JSONResponse:
    errors = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in error.errors()
    ]
    problem = Problem(422, reason_phrase(422), "The request is not valid.", extra={"errors": jsonable_encoder(errors)})
    return problem_response(problem)


async def _http_exception_handler(request: Request, error: StarletteHTTPException) -> JSONResponse:
    detail = (
        error.detail if isinstance(error.detail, str) and error.detail != reason_phrase(error.status_code) else None
    )
    if not 400 <= error.status_code <= 599:
        return JSONResponse({"detail": error.detail}, status_code=error.status_code, headers=error.headers)
    return problem_response(Problem(error.status_code, reason_phrase(error.status_code), detail, headers=error.headers))


async def _unhandled_handler(request: Request, error: Exception) -> JSONResponse:
    # Reached only for errors raised outside RoseMiddleware (e.g. in middleware added after install()).
    logging.getLogger("rose.http").error("unhandled error", exc_info=error)
    return problem_response(_internal_error())
