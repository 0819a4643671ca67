"""The gRPC server: health, reflection, and the interceptor (auth, correlation id, metrics, errors) on all
four kinds of RPC, through a real server on a local port."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import grpc
import pytest

from .support import AUDIENCE, JwksServer, runtime

if TYPE_CHECKING:
    from rose_runtime.grpc_server import GrpcServer
    from rose_runtime.runtime import Runtime

SERVICE = "test.v1.Echo"


def method(name: str) -> str:
    return f"/{SERVICE}/{name}"


POLICIES = {
    method("Say"): (("admin",), False),
    method("Public"): ((), True),
    method("Watch"): ((), False),
    method("WatchWrites"): ((), True),
    method("Upload"): (("admin",), False),
    method("Chat"): ((), True),
    method("Missing"): ((), True),
    method("Crash"): ((), True),
    method("Slow"): ((), True),
    # Unlisted: not in the map, so it needs an authenticated caller.
}


def who() -> bytes:
    from rose_runtime.context import current_principal
    from rose_runtime.logs import current_correlation_id

    principal = current_principal.get()
    return f"{principal.subject if principal else '-'}|{current_correlation_id()}".encode()


async def say(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    return b"said " + request + b" by " + who()


async def watch(request: bytes, context: grpc.aio.ServicerContext) -> AsyncIterator[bytes]:
    for i in range(3):
        yield f"{request.decode()}-{i}|".encode() + who()


async def watch_writes(request: bytes, context: grpc.aio.ServicerContext) -> None:
    for i in range(2):
        await context.write(f"w{i}".encode())


async def upload(requests: AsyncIterator[bytes], context: grpc.aio.ServicerContext) -> bytes:
    parts = [part async for part in requests]
    return b"+".join(parts) + b" by " + who()


async def chat(requests: AsyncIterator[bytes], context: grpc.aio.ServicerContext) -> AsyncIterator[bytes]:
    async for part in requests:
        yield part.upper()


async def missing(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    from rose_runtime.errors import Problem

    raise Problem(404, "Not Found", f"no stock for {request.decode()}")


async def crash(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    raise RuntimeError("secret internals")


async def slow(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    await asyncio.sleep(10)
    return b"late"


def add_echo(handlers: dict[str, grpc.RpcMethodHandler], server: grpc.aio.Server) -> None:
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))


ECHO = {
    "Say": grpc.unary_unary_rpc_method_handler(say),
    "Public": grpc.unary_unary_rpc_method_handler(say),
    "Unlisted": grpc.unary_unary_rpc_method_handler(say),
    "Watch": grpc.unary_stream_rpc_method_handler(watch),
    "WatchWrites": grpc.unary_stream_rpc_method_handler(watch_writes),
    "Upload": grpc.stream_unary_rpc_method_handler(upload),
    "Chat": grpc.stream_stream_rpc_method_handler(chat),
    "Missing": grpc.unary_unary_rpc_method_handler(missing),
    "Crash": grpc.unary_unary_rpc_method_handler(crash),
    "Slow": grpc.unary_unary_rpc_method_handler(slow),
}


@asynccontextmanager
async def serving(rt: Runtime) -> AsyncIterator[tuple[GrpcServer, grpc.aio.Channel]]:
    from rose_runtime.grpc_server import create_server

    server = create_server(rt, 0, [(add_echo, ECHO)], [SERVICE], POLICIES, host="127.0.0.1")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            yield server, channel
    finally:
        await server.stop(None)


def run(rt: Runtime, scenario: Callable[[GrpcServer, grpc.aio.Channel], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with serving(rt) as (server, channel):
            return await scenario(server, channel)

    return asyncio.run(main())


def bearer(token: str, request_id: str = "rid-1") -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"), ("x-request-id", request_id))


async def unary(channel: grpc.aio.Channel, name: str, payload: bytes = b"hi",
                metadata: tuple[tuple[str, str], ...] = ()) -> bytes:
    return await channel.unary_unary(method(name))(payload, metadata=metadata, timeout=5)


async def code_of(call: Awaitable[Any]) -> grpc.StatusCode:
    try:
        await call
    except grpc.aio.AioRpcError as error:
        return error.code()
    return grpc.StatusCode.OK


def test_health_is_serving_until_shutdown_and_reflection_lists_the_services() -> None:
    from grpc_health.v1 import health_pb2, health_pb2_grpc
    from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

    async def scenario(server: GrpcServer, channel: grpc.aio.Channel) -> None:
        health = health_pb2_grpc.HealthStub(channel)
        serving = health_pb2.HealthCheckResponse.SERVING
        for name in ("", SERVICE):
            response = await health.Check(health_pb2.HealthCheckRequest(service=name), timeout=5)
            assert response.status == serving
        reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
        responses = reflection.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
        listed = {s.name async for r in responses for s in r.list_services_response.service}
        assert listed == {SERVICE, "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"}
        await server.set_not_serving()
        response = await health.Check(health_pb2.HealthCheckRequest(service=SERVICE), timeout=5)
        assert response.status == health_pb2.HealthCheckResponse.NOT_SERVING

    run(runtime(), scenario)


def test_auth_codes_per_method_policy(jwks: JwksServer) -> None:
    admin, customer = jwks.token(roles=("admin",), subject="ann"), jwks.token(roles=("customer",))
    expired = jwks.token(roles=("admin",), expires_in=-120)

    async def scenario(server: GrpcServer, channel: grpc.aio.Channel) -> None:
        assert await code_of(unary(channel, "Say")) == grpc.StatusCode.UNAUTHENTICATED
        assert await code_of(unary(channel, "Say", metadata=bearer(expired))) == grpc.StatusCode.UNAUTHENTICATED
        assert await code_of(unary(channel, "Say", metadata=bearer(customer))) == grpc.StatusCode.PERMISSION_DENIED
        assert await unary(channel, "Say", metadata=bearer(admin, "rid-9")) == b"said hi by ann|rid-9"
        assert await code_of(unary(channel, "Unlisted")) == grpc.StatusCode.UNAUTHENTICATED
        assert await code_of(unary(channel, "Unlisted", metadata=bearer(customer))) == grpc.StatusCode.OK
        assert (await unary(channel, "Public")).startswith(b"said hi by -|")

    run(runtime(**jwks.oidc_env()), scenario)


def test_without_identity_only_public_methods_work() -> None:
    async def scenario(server: GrpcServer, channel: grpc.aio.Channel) -> None:
        assert await code_of(unary(channel, "Unlisted", metadata=bearer("x"))) == grpc.StatusCode.UNAUTHENTICATED
        assert await code_of(unary(channel, "Public")) == grpc.StatusCode.OK

    run(runtime(), scenario)


def test_streaming_rpcs_pass_through_the_interceptor(jwks: JwksServer) -> None:
    admin = jwks.token(roles=("admin",), subject="ann")

    async def parts(*items: bytes) -> AsyncIterator[bytes]:
        for item in items:
            yield item

    async def scenario(server: GrpcServer, channel: grpc.aio.Channel) -> None:
        watch = channel.unary_stream(method("Watch"))
        assert [m async for m in watch(b"sku", metadata=bearer(admin, "rid-w"), timeout=5)] == \
            [b"sku-0|ann|rid-w", b"sku-1|ann|rid-w", b"sku-2|ann|rid-w"]
        denied = watch(b"sku", timeout=5)
        with pytest.raises(grpc.aio.AioRpcError) as error:
            _ = [m async for m in denied]
        assert error.value.code() == grpc.StatusCode.UNAUTHENTICATED
        writes = channel.unary_stream(method("WatchWrites"))
        assert [m async for m in writes(b"", timeout=5)] == [b"w0", b"w1"]
        upload = channel.stream_unary(method("Upload"))
        assert await upload(parts(b"a", b"b"), metadata=bearer(admin, "rid-u"), timeout=5) == b"a+b by ann|rid-u"
        assert await code_of(upload(parts(b"a"), timeout=5)) == grpc.StatusCode.UNAUTHENTICATED
        chat = channel.stream_stream(method("Chat"))
        assert [m async for m in chat(parts(b"x", b"y"), timeout=5)] == [b"X", b"Y"]

    run(runtime(**jwks.oidc_env()), scenario)


def test_problems_and_errors_become_status_codes_and_are_counted() -> None:
    rt = runtime()

    async def scenario(server: GrpcServer, channel: grpc.aio.Channel) -> None:
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await unary(channel, "Missing", b"sku-1", metadata=(("x-request-id", "rid-m"),))
        assert error.value.code() == grpc.StatusCode.NOT_FOUND
        assert error.value.details() == "Not Found: no stock for sku-1"
        assert ("x-request-id", "rid-m") in tuple(error.value.trailing_metadata() or ())
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await unary(channel, "Crash")
        assert error.value.code() == grpc.StatusCode.INTERNAL and "secret" not in (error.value.details() or "")
        call = channel.unary_unary(method("Public"))(b"x", metadata=(("x-request-id", "rid-p"),), timeout=5)
        await call
        assert ("x-request-id", "rid-p") in tuple(await call.trailing_metadata() or ())

    run(rt, scenario)
    sample = rt.registry.get_sample_value
    assert sample("rose_grpc_requests_total", {"service": "orders", "method": method("Missing"),
                                               "code": "NOT_FOUND"}) == 1
    assert sample("rose_grpc_request_errors_total", {"service": "orders", "method": method("Crash"),
                                                     "code": "INTERNAL"}) == 1
    assert sample("rose_grpc_requests_total", {"service": "orders", "method": method("Public"), "code": "OK"}) == 1
    assert sample("rose_grpc_request_duration_seconds_count", {"service": "orders", "method": method("Public")}) == 1
    assert sample("rose_grpc_requests_total", {"service": "orders", "method": "/grpc.health.v1.Health/Check",
                                               "code": "OK"}) is None


class FixedTokens:
    def __init__(self, token: str) -> None:
        self.value = token

    async def token(self, audience: str) -> str:
        assert audience == AUDIENCE
        return self.value


def test_the_client_channel_sends_the_services_own_token_and_the_request_id(jwks: JwksServer) -> None:
    from rose_runtime.auth import Principal
    from rose_runtime.clients import grpc_channel
    from rose_runtime.context import current_principal
    from rose_runtime.logs import log_scope

    token = jwks.token(roles=("admin",), subject="caller")

    async def scenario(server: GrpcServer, _: grpc.aio.Channel) -> None:
        async with grpc_channel(f"127.0.0.1:{server.port}", tokens=FixedTokens(token), audience=AUDIENCE) \
                as channel:
            current_principal.set(Principal("someone-else", frozenset(), "not-forwarded"))
            with log_scope(correlation_id="rid-chain"):
                assert await channel.unary_unary(method("Say"))(b"x") == b"said x by caller|rid-chain"
                watch = channel.unary_stream(method("Watch"))
                streamed = [m async for m in watch(b"s")]
                assert streamed[0] == b"s-0|caller|rid-chain"

    run(runtime(**jwks.oidc_env()), scenario)


def test_the_client_channel_sets_a_default_deadline() -> None:
    from rose_runtime.clients import grpc_channel

    async def scenario(server: GrpcServer, _: grpc.aio.Channel) -> None:
        async with grpc_channel(f"127.0.0.1:{server.port}", timeout=0.2) as channel:
            started = asyncio.get_running_loop().time()
            assert await code_of(channel.unary_unary(method("Slow"))(b"x")) == grpc.StatusCode.DEADLINE_EXCEEDED
            assert asyncio.get_running_loop().time() - started < 2

    run(runtime(), scenario)
