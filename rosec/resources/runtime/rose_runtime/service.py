"""The per-service Runtime object and the process lifecycle: start everything, stop gracefully on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import uvicorn
from prometheus_client import CollectorRegistry

from .auth import TokenVerifier
from .logs import ServiceLogger, configure_logging
from .metrics import ServiceMetrics
from .sentry import init_sentry
from .settings import Settings

if TYPE_CHECKING:
    from .amqp import Broker
    from .grpc_server import GrpcServer

ReadinessCheck = Callable[[], Awaitable[bool | None]]  # False or an exception means "not ready"
Hook = Callable[[], Awaitable[None]]

READINESS_TIMEOUT = 2.0
HTTP_DRAIN_SECONDS = 10.0
GRPC_GRACE_SECONDS = 5.0
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Runtime:
    """Everything one service shares: settings, logger, metrics registry, token verifier, readiness checks.

    The constructor has no process-wide effects, so tests may build several runtimes in one interpreter;
    `from_env` is for a service's entry point and also configures logging and Sentry.
    """

    def __init__(self, settings: Settings, *, registry: CollectorRegistry | None = None,
                 verifier: TokenVerifier | None = None) -> None:
        self.settings = settings
        self.registry = registry if registry is not None else CollectorRegistry()
        self.metrics = ServiceMetrics(settings.service, self.registry)
        if verifier is None and settings.oidc is not None:
            verifier = TokenVerifier(settings.oidc.issuer, settings.oidc.audience, settings.oidc.jwks_url)
        self.verifier = verifier
        self.logger = self.logger_for(f"rose.{settings.service}")
        self.draining = False  # set when shutdown starts: /readyz then answers 503
        self._checks: dict[str, ReadinessCheck] = {}

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Runtime:
        settings = Settings.from_env(environ)
        configure_logging(settings.service, settings.environment, settings.log_level)
        runtime = cls(settings)
        if init_sentry(settings):
            runtime.logger.info("error reporting to Sentry enabled")
        return runtime

    def logger_for(self, name: str) -> ServiceLogger:
        return ServiceLogger(logging.getLogger(name),
                             {"service": self.settings.service, "environment": self.settings.environment})

    def add_readiness_check(self, name: str, check: ReadinessCheck) -> None:
        if name in self._checks:
            raise ValueError(f"readiness check {name!r} is already registered")
        self._checks[name] = check

    @property
    def readiness_checks(self) -> Mapping[str, ReadinessCheck]:
        return dict(self._checks)

    async def readiness(self, timeout: float = READINESS_TIMEOUT) -> dict[str, str]:
        """The state of every readiness check, "ok" or why not, checked concurrently."""

        async def state(name: str, check: ReadinessCheck) -> str:
            try:
                async with asyncio.timeout(timeout):
                    ok = await check()
            except TimeoutError:
                self.logger.warning("readiness check %s timed out", name)
                return "timeout"
            except Exception as error:
                self.logger.warning("readiness check %s failed: %r", name, error)
                return "failed"
            return "failed" if ok is False else "ok"

        names = list(self._checks)
        states = await asyncio.gather(*(state(n, self._checks[n]) for n in names))
        result = dict(zip(names, states, strict=True))
        if self.draining:
            result["shutdown"] = "draining"
        return result


async def serve(runtime: Runtime, *, app: Any = None, grpc_server: GrpcServer | None = None,
                broker: Broker | None = None, startup: Sequence[Hook] = (), shutdown: Sequence[Hook] = (),
                stop: asyncio.Event | None = None, host: str | None = None) -> None:
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
                bind = host or runtime.settings.bind_host
                config = uvicorn.Config(app, host=bind, port=runtime.settings.port, log_config=None,
                                        access_log=False, server_header=False, lifespan="auto",
                                        timeout_graceful_shutdown=int(HTTP_DRAIN_SECONDS))
                http = _UvicornServer(config)
                http_task = asyncio.create_task(_serve_http(http), name="rose-http")
                await _until_started(http, http_task)
            if broker is not None:
                await broker.start_consumers()
            log.info("service started", extra={"port": runtime.settings.port,
                                               "grpc_port": grpc_server.port if grpc_server else None})
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


async def _shut_down(runtime: Runtime, http: _UvicornServer | None, http_task: asyncio.Task[None] | None,
                     grpc_server: GrpcServer | None, broker: Broker | None, hooks: Sequence[Hook]) -> None:
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


async def _quietly(log: logging.Logger | logging.LoggerAdapter[logging.Logger], what: str,
                   step: Awaitable[Any]) -> None:
    """Await one shutdown step; a failing step is logged and does not keep the others from running."""
    try:
        await step
    except Exception:
        log.exception("%s failed during shutdown", what)


@contextlib.contextmanager
def _stop_on_signals(stop: asyncio.Event, log: logging.Logger | logging.LoggerAdapter[logging.Logger]) \
        -> Iterator[None]:
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
