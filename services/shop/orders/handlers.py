"""Handlers of the orders service: orders in PostgreSQL (orders-db), stock reserved over gRPC at inventory.

`rosec build` never overwrites this file. The contract is OrdersHandlers in
    generated/shop/services/orders/handlers.py
`self.deps` (OrdersDeps) holds: events, inventory_grpc, payments_rest, payments_grpc, orders_db, config.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID, uuid4

from inventory import models as inventory
from orders.handlers import OrdersHandlers
from orders.models import Money, NewOrder, Order, OrderLine, OrderList, OrderStatus, Payment
from pydantic import BaseModel, TypeAdapter
from rose_runtime.context import MessageContext, RequestContext
from rose_runtime.errors import Problem

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    id uuid PRIMARY KEY,
    customer_id uuid NOT NULL,
    lines jsonb NOT NULL,
    total_amount numeric NOT NULL,
    currency text NOT NULL,
    status text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_status_created ON orders (status, created_at);
"""
COLUMNS = "id, customer_id, lines, total_amount, currency, status, created_at"
LIST_LIMIT = 500  # GET /orders answers the most recent orders
STAFF_ROLES = frozenset({"admin", "support"})
_LINES = TypeAdapter(list[OrderLine])
_Model = TypeVar("_Model", bound=BaseModel)


class Handlers(OrdersHandlers):
    """Orders are placed `reserved` (stock held by inventory) and become `paid` when payment.settled arrives."""

    async def on_startup(self) -> None:
        async with self.deps.orders_db.acquire() as db, db.transaction():
            await db.execute("SELECT pg_advisory_xact_lock(hashtext('orders schema'))")  # replicas start at once
            await db.execute(SCHEMA)

    async def post_orders(self, body: NewOrder, ctx: RequestContext) -> Order:
        """POST /orders: Place an order"""
        self._check(body, ctx)
        order_id = uuid4()
        reservation = inventory.Reservation(order_id=order_id, lines=[_converted(inventory.OrderLine, line)
                                                                      for line in body.lines])
        result = await self.deps.inventory_grpc.reserve(reservation)
        if not result.accepted:
            raise Problem(409, "Conflict", "not enough stock for: " + ", ".join(result.missing_skus),
                          extra={"missing_skus": result.missing_skus})
        total = sum((line.quantity * line.unit_price.amount for line in body.lines), Decimal(0))
        order = Order(id=order_id, customer_id=body.customer_id, lines=body.lines,
                      total=Money(amount=total, currency=self.deps.config.order_currency),
                      status=OrderStatus.reserved, created_at=datetime.now(UTC))
        async with self.deps.orders_db.acquire() as db:
            await db.execute(f"INSERT INTO orders ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                             order.id, order.customer_id, _LINES.dump_json(order.lines).decode(), total,
                             order.total.currency, order.status.value, order.created_at)
        await self.deps.events.order_created(order)
        ctx.logger.info("order %s placed", order.id, extra={"order_id": str(order.id)})
        return order

    async def get_orders_by_id(self, id: UUID, ctx: RequestContext) -> Order:
        """GET /orders/{id}: customers see their own orders only."""
        async with self.deps.orders_db.acquire() as db:
            row = await db.fetchrow(f"SELECT {COLUMNS} FROM orders WHERE id = $1", id)
        order = _order(row) if row is not None else None
        if order is None or not (_is_staff(ctx) or _subject(ctx) == str(order.customer_id)):
            raise Problem(404, "Not Found", f"no order {id}")
        return order

    async def get_orders(self, status: OrderStatus | None, ctx: RequestContext) -> OrderList:
        """GET /orders: the most recent orders, optionally only those with `status`."""
        async with self.deps.orders_db.acquire() as db:
            rows = await db.fetch(f"SELECT {COLUMNS} FROM orders WHERE $1::text IS NULL OR status = $1 "
                                  "ORDER BY created_at DESC, id LIMIT $2", status.value if status else None,
                                  LIST_LIMIT)
        return OrderList(items=[_order(row) for row in rows])

    async def on_payment_settled(self, message: Payment, ctx: MessageContext) -> None:
        """Consumes event payment.settled (Payment): the order is paid."""
        async with self.deps.orders_db.acquire() as db:
            updated = await db.fetchval("UPDATE orders SET status = $2 WHERE id = $1 AND status <> $2 "
                                        "RETURNING id", message.order_id, OrderStatus.paid.value)
        if updated is not None:
            ctx.logger.info("order %s paid", message.order_id, extra={"order_id": str(message.order_id)})

    def _check(self, body: NewOrder, ctx: RequestContext) -> None:
        if _subject(ctx) != str(body.customer_id):
            raise Problem(403, "Forbidden", "customers place orders for themselves only")
        problems = []
        max_lines = int(self.deps.config.max_lines_per_order)
        if not 0 < len(body.lines) <= max_lines:
            problems.append(f"an order has 1 to {max_lines} lines")
        currency = self.deps.config.order_currency
        for number, line in enumerate(body.lines, 1):
            if line.quantity <= 0:
                problems.append(f"line {number}: quantity must be positive")
            if line.unit_price.amount < 0 or line.unit_price.currency != currency:
                problems.append(f"line {number}: unit_price must be a non-negative amount in {currency}")
            if not _storable(line.sku):
                problems.append(f"line {number}: sku must be text without NUL characters")
        if problems:
            raise Problem(422, "Unprocessable Content", "; ".join(problems))


def _converted(model: type[_Model], value: BaseModel) -> _Model:
    """A model of this service as the equal model of a peer's (each service generates its own classes)."""
    return model.model_validate_json(value.model_dump_json())


def _order(row: Any) -> Order:
    return Order(id=UUID(str(row["id"])), customer_id=UUID(str(row["customer_id"])),
                 lines=_LINES.validate_json(row["lines"]),
                 total=Money(amount=row["total_amount"], currency=row["currency"]),
                 status=OrderStatus(row["status"]), created_at=row["created_at"])


def _subject(ctx: RequestContext) -> str | None:
    return ctx.principal.subject if ctx.principal else None


def _is_staff(ctx: RequestContext) -> bool:
    return bool(ctx.principal and STAFF_ROLES & ctx.principal.roles)


def _storable(text: str) -> bool:
    """PostgreSQL text and jsonb hold neither NUL characters nor lone surrogates."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text
