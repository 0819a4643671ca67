"""Handlers of the inventory service: stock levels kept in memory, reservations, and stock watches.

`rosec build` never overwrites this file. The contract is InventoryHandlers in
    generated/shop/services/inventory/handlers.py
`self.deps` (InventoryDeps) holds: events.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from uuid import UUID

from inventory.deps import InventoryDeps
from inventory.handlers import InventoryHandlers
from inventory.models import Reservation, ReservationResult, StockLevel, StockQuery
from rose_runtime.context import RequestContext
from rose_runtime.errors import Problem

# What the warehouse holds when the service starts (the catalog seeds the same SKUs).
INITIAL_STOCK: dict[str, int] = {
    "tea-earl-grey": 1000,
    "tea-sencha": 1000,
    "mug-stoneware": 500,
    "kettle-copper": 3,
    "teapot-cast-iron": 20,
}
WATCH_MAX_UPDATES = 100  # a WatchStock stream ends after this many changes (or when the level reaches 0)


class Handlers(InventoryHandlers):
    """Stock per SKU in memory; Reserve takes all lines of an order or none."""

    def __init__(self, deps: InventoryDeps) -> None:
        super().__init__(deps)
        self._stock: dict[str, int] = dict(INITIAL_STOCK)
        self._reservations: dict[UUID, ReservationResult] = {}
        self._watchers: dict[str, set[asyncio.Queue[int]]] = {}

    async def get_stock(self, request: StockQuery, ctx: RequestContext) -> StockLevel:
        """gRPC GetStock (unary)"""
        return StockLevel(sku=request.sku, available=self._level(request.sku))

    async def reserve(self, request: Reservation, ctx: RequestContext) -> ReservationResult:
        """gRPC Reserve (unary): all lines or none; the same order reserved again gets the first answer."""
        earlier = self._reservations.get(request.order_id)
        if earlier is not None:
            return earlier
        wanted: Counter[str] = Counter()
        for line in request.lines:
            if line.quantity <= 0:
                raise Problem(400, "Invalid argument", f"quantity of {line.sku!r} must be positive")
            wanted[line.sku] += line.quantity
        missing = [sku for sku, quantity in wanted.items() if self._stock.get(sku, 0) < quantity]
        result = ReservationResult(order_id=request.order_id, accepted=not missing and bool(wanted),
                                   missing_skus=missing)
        if result.accepted:  # no await between the check and the update: reservations never oversell
            for sku, quantity in wanted.items():
                self._set(sku, self._stock[sku] - quantity)
        self._reservations[request.order_id] = result
        depleted = [sku for sku in wanted if result.accepted and self._stock[sku] == 0]
        for sku in depleted:
            await self.deps.events.stock_depleted(StockLevel(sku=sku, available=0))
            ctx.logger.info("stock of %s depleted", sku, extra={"sku": sku})
        return result

    async def watch_stock(self, request: StockQuery, ctx: RequestContext) -> AsyncIterator[StockLevel]:
        """gRPC WatchStock (server streaming): the current level, then every change, until the level reaches 0,
        WATCH_MAX_UPDATES changes were sent, or the client cancels."""
        level = self._level(request.sku)
        queue: asyncio.Queue[int] = asyncio.Queue()
        watchers = self._watchers.setdefault(request.sku, set())
        watchers.add(queue)
        try:
            yield StockLevel(sku=request.sku, available=level)
            for _ in range(WATCH_MAX_UPDATES):
                if level == 0:
                    return
                level = await queue.get()
                yield StockLevel(sku=request.sku, available=level)
        finally:
            watchers.discard(queue)

    def _level(self, sku: str) -> int:
        if sku not in self._stock:
            raise Problem(404, "Not Found", f"no stock is kept for SKU {sku!r}")
        return self._stock[sku]

    def _set(self, sku: str, level: int) -> None:
        self._stock[sku] = level
        for queue in self._watchers.get(sku, ()):
            queue.put_nowait(level)
