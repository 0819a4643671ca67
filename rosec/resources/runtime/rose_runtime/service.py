"""The process lifecycle of a service: start everything, stop gracefully on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import uvicorn

from .http import declare_routes
from .logs import configure_logging
from .runtime import Runtime

if TYPE_CHECKING:
    from .amqp import Broker
    from .grpc_server import GrpcServer

__all__ = ["GRPC_GRACE_SECONDS", "HTTP_DRAIN_SECONDS", "Hook", "Runtime", "run", "serve"]

Hook = Callable[[], Awaitable[None]]

HTTP_DRAIN_SECONDS = 10.0
GRPC_GRACE_SECONDS = 5.0
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


async def serve(
    runtime: Runtime,
    *,
    app: Any = None,
    grpc_server: GrpcServer | None = None,
    broker: Broker | None = None,
    startup: Sequence[Hook] = (),
    shutdown: Sequence[Hook] = (),
    stop: asyncio.Event | None = None,
    host: str | None = None,
) -> None:
    """Run a service until SIGTERM/SIGINT (or `stop` is set), then shut down gracefully and return.

    Start: broker connect + declare, `startup` hooks in order, gRPC server, HTTP server (uvicorn), consumers.
    Stop: /readyz and gRPC health NOT_SERVING, uvicorn stops accepting and drains, gRPC stops with a grace
    period, the broker cancels consumers and waits for in-flight handlers, then `shutdown` hooks in order.
    """
    stop = stop if stop is not None else asyncio.Event()
    log = runtime.logger
    http: _UvicornServer | None = None
    http_task: asyncio.Task[None] | None = None
    with _stop_on_signals(stop, log):
        try:
            if broker is not None:
                await broker.connect()
                await broker.declare()
                if "amqp" not in runtime.readiness_checks:
                    runtime.add_readiness_check("amqp", broker.ready)
            for hook in startup:
                await hook()
            if grpc_server is not None:
                await grpc_server.start()
            if app is not None:
                declare_routes(app, runtime)
                bind = host or runtime.settings.bind_host
                config = uvicorn.Config(
                    app,
                    host=bind,
                    port=runtime.settings.port,
                    log_config=None,
                    access_log=False,
                    server_header=False,
                    lifespan="auto",
                    timeout_graceful_shutdown=int(HTTP_DRAIN_SECONDS),
                )
                http = _UvicornServer(config)
                http_task = asyncio.create_task(_serve_http(http), name="rose-http")
                await _until_started(http, http_task)
            if broker is not None:
                await broker.start_consumers()
            log.info(
                "service started",
                extra={"port": runtime.settings.port, "grpc_port": grpc_server.port if grpc_server else None},
            )
            await _until_stopped(stop, http_task)
        finally:
            await _shut_down(runtime, http, http_task, grpc_server, broker, shutdown)
    log.info("service stopped")


def run(main: Coroutine[Any, Any, None]) -> None:
    """Entry point helper for `python -m <svc>.main`: exit 0 after a graceful stop, 1 when the service failed."""
    try:
        asyncio.run(main)
    except KeyboardInterrupt:  # a second Ctrl-C, or one before the handlers were installed
        return
    except Exception as error:
        if not logging.getLogger().handlers:  # failed before Runtime.from_env configured logging (bad settings)
            configure_logging(os.environ.get("SERVICE_NAME") or "unknown", os.environ.get("ROSE_ENVIRONMENT") or "")
        logging.getLogger("rose").critical("service failed: %s", error, exc_info=True)
        raise SystemExit(1) from None


class _UvicornServer(uvicorn.Server):
    """uvicorn without its own signal handling: serve() owns SIGTERM/SIGINT for all servers of the process."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def _serve_http(server: _UvicornServer) -> None:
    try:
        await server.serve()
    except SystemExit as exit_:  # uvicorn exits the process when it cannot bind or the lifespan fails
        raise RuntimeError(f"the HTTP server failed to start (exit code {exit_.code})") from None


async def _until_started(server: _UvicornServer, task: asyncio.Task[None]) -> None:
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("the HTTP server stopped during startup")
        await asyncio.sleep(0.01)


async def _until_stopped(stop: asyncio.Event, http_task: asyncio.Task[None] | None) -> None:
    waiters: set[asyncio.Future[Any]] = {asyncio.ensure_future(stop.wait())}
    if http_task is not None:
        waiters.add(http_task)
    done, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    for waiter in pending:
        if waiter is not http_task:
            waiter.cancel()
    if http_task is not None and http_task in done:
        http_task.result()
        raise RuntimeError("the HTTP server stopped unexpectedly")


async def _shut_down(
    runtime: Runtime,
    http: _UvicornServer | None,
    http_task: asyncio.Task[None] | None,
    grpc_server: GrpcServer | None,
    broker: Broker | None,
    hooks: Sequence[Hook],
) -> None:
    log = runtime.logger
    runtime.draining = True
    log.info("shutting down")
    if grpc_server is not None:
        await _quietly(log, "gRPC health update", grpc_server.set_not_serving())
    if http is not None:
        http.should_exit = True
    draining: list[Awaitable[Any]] = []
    if grpc_server is not None:
        draining.append(_quietly(log, "gRPC server stop", grpc_server.stop(GRPC_GRACE_SECONDS)))
    if http_task is not None and not http_task.done():
        draining.append(_quietly(log, "HTTP server stop", http_task))
    await asyncio.gather(*draining)
    if broker is not None:
        await _quietly(log, "broker close", broker.close())
    for hook in hooks:
        await _quietly(log, f"shutdown hook {getattr(hook, '__qualname__', hook)!s}", hook())
    await _quietly(log, "runtime close", runtime.aclose())


async def _quietly(
    log: logging.Logger | logging.LoggerAdapter[logging.Logger], what: str, step: Awaitable[Any]
) -> None:
    """Await one shutdown step; a failing step is logged and does not keep the others from running."""
    try:
        await step
    except Exception:
        log.exception("%s failed during shutdown", what)


@contextlib.contextmanager
def _stop_on_signals(
    stop: asyncio.Event, log: logging.Logger | logging.LoggerAdapter[logging.Logger]
) -> Iterator[None]:
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []

    def on_signal(sig: signal.Signals) -> None:
        log.info("received %s, stopping", sig.name)
        stop.set()

    for sig in _STOP_SIGNALS:
        try:
            loop.add_signal_handler(sig, on_signal, sig)
            installed.append(sig)
        except (NotImplementedError, RuntimeError):  # not the main thread, or no Unix signals
            log.debug("cannot install a handler for %s", sig.name)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
