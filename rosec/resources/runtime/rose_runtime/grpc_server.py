"""grpc.aio server with health and reflection, and one interceptor for correlation ids, auth, metrics, errors."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1.health import SERVICE_NAME as HEALTH_SERVICE_NAME
from grpc_health.v1.health import aio as health_aio
from grpc_reflection.v1alpha import reflection

from .auth import ON_BEHALF_OF_METADATA, authenticate
from .context import current_principal
from .errors import Problem
from .logs import REQUEST_ID_METADATA, correlation_id_from_metadata, duration_ns, log_scope
from .tracing import GRPC_SERVER, trace_carrier, traced

if TYPE_CHECKING:
    from .runtime import Runtime

MethodPolicy = tuple[tuple[str, ...], bool]  # (roles, public) of one full method name
AddServicer = Callable[[Any, grpc.aio.Server], None]  # e.g. add_InventoryServiceServicer_to_server
Context = grpc.aio.ServicerContext[Any, Any]
# What grpc.aio calls for one RPC with the request (or the request iterator) and the context: a coroutine for a
# unary response; an async generator, or a coroutine that writes with context.write, for a streamed response.
UnaryBehavior = Callable[[Any, Context], Awaitable[object]]
StreamingBehavior = Callable[[Any, Context], AsyncIterable[object] | Awaitable[None]]
_Request = TypeVar("_Request")
_Response = TypeVar("_Response")

# Health checks and reflection are infrastructure: public, not counted in the request metrics, not logged.
_INFRASTRUCTURE_PREFIXES = (
    f"/{HEALTH_SERVICE_NAME}/",
    "/grpc.reflection.v1alpha.ServerReflection/",
    "/grpc.reflection.v1.ServerReflection/",
)
_AUTHENTICATED: MethodPolicy = ((), False)  # methods missing from the policy map fail closed


class GrpcServer:
    """A created (not yet started) server, its health servicer and the port it is bound to."""

    def __init__(
        self, server: grpc.aio.Server, health: health_aio.HealthServicer, service_names: Sequence[str], port: int
    ) -> None:
        self.server = server
        self.health = health
        self.service_names = tuple(service_names)
        self.port = port

    async def start(self) -> None:
        await self.server.start()
        for name in ("", *self.service_names):
            await self.health.set(name, health_pb2.HealthCheckResponse.SERVING)

    async def set_not_serving(self) -> None:
        """Every service NOT_SERVING from now on (load balancers stop routing here before the server stops)."""
        await self.health.enter_graceful_shutdown()

    async def stop(self, grace: float | None) -> None:
        await self.set_not_serving()
        await self.server.stop(grace)

    async def wait_for_termination(self) -> None:
        await self.server.wait_for_termination()


def create_server(
    runtime: Runtime,
    port: int,
    servicers: Sequence[tuple[AddServicer, Any]],
    service_names: Sequence[str],
    method_policies: Mapping[str, MethodPolicy],
    *,
    host: str | None = None,
) -> GrpcServer:
    """A server with the servicers, grpc.health.v1 and reflection, bound to host:port (port 0: any free port).

    `service_names` are full proto service names (inventory.v1.InventoryService); `method_policies` maps full
    method names (/inventory.v1.InventoryService/GetStock) to (roles, public).
    """
    interceptor = RoseServerInterceptor(runtime, method_policies)
    for method in sorted(method_policies):
        runtime.metrics.declare_grpc_method(_full_method(method))
    # SO_REUSEPORT off: a second process on the same port must fail to bind, not silently share it.
    server = grpc.aio.server(interceptors=[interceptor], options=[("grpc.so_reuseport", 0)])
    for add, servicer in servicers:
        add(servicer, server)
    health = health_aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health, server)
    reflection.enable_server_reflection((*service_names, HEALTH_SERVICE_NAME, reflection.SERVICE_NAME), server)
    host = host or runtime.settings.bind_host
    bound = server.add_insecure_port(f"{host}:{port}")
    if not bound:
        raise RuntimeError(f"cannot bind the gRPC server to {host}:{port}")
    return GrpcServer(server, health, service_names, bound)


class RoseServerInterceptor(grpc.aio.ServerInterceptor):
    """Wraps every RPC handler (unary and streaming, either direction) so that, in the RPC's own task:
    the correlation id comes from `x-request-id` metadata (and goes back in trailing metadata), the bearer
    token in `authorization` metadata is verified against the method's policy, the principal is put in
    `context.current_principal`, a Problem becomes the matching status, anything else INTERNAL, and the
    call is counted and logged."""

    def __init__(self, runtime: Runtime, method_policies: Mapping[str, MethodPolicy]) -> None:
        self._runtime = runtime
        self._policies = {_full_method(name): policy for name, policy in method_policies.items()}
        self._log = logging.getLogger("rose.grpc")

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler[_Request, _Response] | None]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[_Request, _Response] | None:
        handler = await continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or method.startswith(_INFRASTRUCTURE_PREFIXES):
            return handler
        call = _Call(self._runtime, self._log, method, self._policies.get(method, _AUTHENTICATED))
        return _wrapped(handler, call)


def _wrapped(
    handler: grpc.RpcMethodHandler[_Request, _Response], call: _Call
) -> grpc.RpcMethodHandler[_Request, _Response]:
    """The handler with its behaviour (whichever of the four kinds it is) run inside `call`."""
    deserializer, serializer = handler.request_deserializer, handler.response_serializer
    if handler.unary_unary:
        return grpc.unary_unary_rpc_method_handler(call.unary(_aio(handler.unary_unary)), deserializer, serializer)
    if handler.unary_stream:
        behavior = call.streaming(_aio_streaming(handler.unary_stream))
        return grpc.unary_stream_rpc_method_handler(behavior, deserializer, serializer)
    if handler.stream_unary:
        return grpc.stream_unary_rpc_method_handler(call.unary(_aio(handler.stream_unary)), deserializer, serializer)
    if handler.stream_stream:
        behavior = call.streaming(_aio_streaming(handler.stream_stream))
        return grpc.stream_stream_rpc_method_handler(behavior, deserializer, serializer)
    return handler


# types-grpcio types the behaviours of grpc.RpcMethodHandler for the synchronous server only (called with a
# grpc.ServicerContext, returning the response or an iterator); grpc.aio has no handler type of its own and calls
# the same attributes with a grpc.aio.ServicerContext, getting a coroutine or an async iterator back.
def _aio(behavior: Callable[..., object]) -> UnaryBehavior:
    return cast("UnaryBehavior", behavior)


def _aio_streaming(behavior: Callable[..., object]) -> StreamingBehavior:
    return cast("StreamingBehavior", behavior)


class _Call:
    """The wrapping of one method's handler."""

    def __init__(self, runtime: Runtime, log: logging.Logger, method: str, policy: MethodPolicy) -> None:
        self.runtime = runtime
        self.log = log
        self.method = method
        self.roles, self.public = policy

    def unary(self, behavior: UnaryBehavior) -> UnaryBehavior:
        """Unary response: unary-unary (request) and stream-unary (request iterator)."""

        async def handle(request: Any, context: Context) -> object:
            async with self._call(context):
                return await behavior(request, context)

        return handle

    def streaming(self, behavior: StreamingBehavior) -> Callable[[Any, Context], AsyncIterator[object]]:
        """Streamed response: unary-stream and stream-stream. The handler may be an async generator or a
        coroutine that writes with `context.write`."""

        async def handle(request: Any, context: Context) -> AsyncIterator[object]:
            async with self._call(context):
                result = behavior(request, context)
                if isinstance(result, AsyncIterable):
                    async for item in result:
                        yield item
                else:
                    await result

        return handle

    @contextlib.asynccontextmanager
    async def _call(self, context: Context) -> AsyncIterator[None]:
        """One call of any kind: correlation id, principal, status mapping, metrics and the log line."""
        metadata = context.invocation_metadata()
        cid = correlation_id_from_metadata(metadata)
        trailing = ((REQUEST_ID_METADATA, cid),)
        context.set_trailing_metadata(trailing)
        code, start = grpc.StatusCode.UNKNOWN, time.perf_counter()
        with traced(GRPC_SERVER, self.method, trace_carrier(metadata), cid), log_scope(grpc_method=self.method):
            principal_token = None
            try:
                principal_token = current_principal.set(await self._authenticate(context))
                yield
                code = _code_of(context)
            except Exception as error:
                code, details = self._classify(context, error)
                if details is not None:
                    await context.abort(code, details, trailing)
                raise
            except BaseException:  # cancelled by the client or the shutdown
                code = grpc.StatusCode.CANCELLED
                raise
            finally:
                if principal_token is not None:
                    current_principal.reset(principal_token)
                self._record(code, start)

    async def _authenticate(self, context: Context) -> Any:
        metadata = {key.lower(): _text(value) for key, value in context.invocation_metadata() or ()}
        return await authenticate(
            self.runtime.verifier,
            metadata.get("authorization"),
            self.roles,
            self.public,
            metadata.get(ON_BEHALF_OF_METADATA),
        )

    def _classify(self, context: Context, error: Exception) -> tuple[grpc.StatusCode, str | None]:
        """The status code of a failed call, and the details to abort with (None: already aborted, re-raise)."""
        if isinstance(error, grpc.aio.AbortError):
            return _code_of(context, default=grpc.StatusCode.UNKNOWN), None
        if isinstance(error, Problem):
            if error.status >= 500:
                self.log.warning("call failed: %s", error)
            return error.grpc_code, error.message
        self.log.exception("unhandled error in %s", self.method)
        return grpc.StatusCode.INTERNAL, "Internal error"

    def _record(self, code: grpc.StatusCode, start: float) -> None:
        seconds = time.perf_counter() - start
        self.runtime.metrics.observe_grpc(self.method, code.name, seconds)
        level = logging.WARNING if code in _SERVER_FAULTS else logging.INFO
        self.log.log(
            level,
            "%s %s",
            self.method,
            code.name,
            extra={"rose.grpc.code": code.name, "event.duration": duration_ns(seconds)},
        )


_SERVER_FAULTS = frozenset(
    {
        grpc.StatusCode.INTERNAL,
        grpc.StatusCode.UNKNOWN,
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DATA_LOSS,
        grpc.StatusCode.UNIMPLEMENTED,
    }
)


def _code_of(context: Context, default: grpc.StatusCode = grpc.StatusCode.OK) -> grpc.StatusCode:
    """The code the handler set on the context (set_code or abort), else `default`."""
    # types-grpcio: code() -> StatusCode; grpc.aio returns None until the handler sets a code or aborts.
    code = cast("grpc.StatusCode | None", context.code())
    return default if code is None else code


def _full_method(name: str) -> str:
    return name if name.startswith("/") else f"/{name}"


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value
