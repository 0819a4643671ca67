"""PostgreSQL connection pool of a datastore the service uses."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from asyncpg.pool import PoolAcquireContext

from .metrics import ServiceMetrics
from .settings import Settings


class PostgresPool:
    """An asyncpg pool (1 to 10 connections) opened at startup and closed at shutdown.

    The DSN (`<DS>_URL`) carries no password; it comes separately from `<DS>_PASSWORD`.
    """

    def __init__(
        self,
        dsn: str,
        password: str | None,
        *,
        min_size: int = 1,
        max_size: int = 10,
        command_timeout: float = 30.0,
        metrics: ServiceMetrics | None = None,
        datastore: str = "",
    ) -> None:
        self.dsn = dsn
        self._password = password
        self._min_size = min_size
        self._max_size = max_size
        self._command_timeout = command_timeout
        self._pool: asyncpg.Pool | None = None
        if metrics is not None:
            metrics.watch_pool(datastore, self.sizes)

    def sizes(self) -> tuple[int, int, int]:
        """(open connections, idle connections, maximum) of the pool; nothing open before open()."""
        pool = self._pool
        if pool is None:
            return 0, 0, self._max_size
        return pool.get_size(), pool.get_idle_size(), pool.get_max_size()

    @classmethod
    def from_settings(cls, settings: Settings, name_prefix: str, **kwargs: Any) -> PostgresPool:
        store = settings.postgres(name_prefix)
        return cls(store.dsn, store.password, **kwargs)

    async def open(self) -> None:
        if self._pool is None:
            self._pool = await asyncpg.create_pool(
                self.dsn,
                password=self._password,
                min_size=self._min_size,
                max_size=self._max_size,
                command_timeout=self._command_timeout,
            )

    async def close(self, timeout: float = 10.0) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            try:
                async with asyncio.timeout(timeout):
                    await pool.close()
            except TimeoutError:
                pool.terminate()

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the pool is not open: call open() at startup")
        return self._pool

    def acquire(self) -> PoolAcquireContext:
        """`async with db.acquire() as connection: ...`"""
        return self.pool.acquire()

    async def ready(self) -> bool:
        """Readiness: the database answers SELECT 1."""
        if self._pool is None:
            return False
        async with self._pool.acquire() as connection:
            answer = await connection.fetchval("SELECT 1")
        return bool(answer == 1)
