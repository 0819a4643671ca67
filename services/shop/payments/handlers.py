"""Handlers of the payments service: payments settle at once (a stand-in for a payment provider), in memory.

`rosec build` never overwrites this file. The contract is PaymentsHandlers in
    generated/shop/services/payments/handlers.py
`self.deps` (PaymentsDeps) holds: events, secrets.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from uuid import UUID, uuid4

from payments.deps import PaymentsDeps
from payments.handlers import PaymentsHandlers
from payments.models import Money, Order, Payment, PaymentRequest, Receipt
from rose_runtime.context import Logger, MessageContext, RequestContext
from rose_runtime.errors import Problem


class Handlers(PaymentsHandlers):
    """One payment per order: paying an order again answers the payment it already has."""

    def __init__(self, deps: PaymentsDeps) -> None:
        super().__init__(deps)
        self._payments: dict[UUID, Payment] = {}  # by order id
        self._receipts: dict[UUID, list[Receipt]] = {}  # by order id

    async def post_payments(self, body: PaymentRequest, ctx: RequestContext) -> Payment:
        """POST /payments: settle a payment for an order."""
        if body.amount.amount <= 0:
            raise Problem(422, "Unprocessable Content", "amount.amount must be positive")
        return await self._settle(body.order_id, body.amount, ctx.logger)

    async def upload_receipts(self, requests: AsyncIterator[Receipt], ctx: RequestContext) -> Payment:
        """gRPC UploadReceipts (client streaming, admin): receipt documents of one paid order; answers its payment."""
        receipts = [receipt async for receipt in requests]
        orders = {receipt.order_id for receipt in receipts}
        if len(orders) != 1:
            raise Problem(400, "Invalid argument", "send the receipts of exactly one order")
        order_id = orders.pop()
        payment = self._payments.get(order_id)
        if payment is None:
            raise Problem(404, "Not Found", f"order {order_id} has no payment")
        self._receipts.setdefault(order_id, []).extend(receipts)
        ctx.logger.info("%d receipt(s) stored for order %s", len(receipts), order_id,
                        extra={"order_id": str(order_id)})
        return payment

    async def on_order_created(self, message: Order, ctx: MessageContext) -> None:
        """Consumes event order.created (Order): the order is paid automatically."""
        await self._settle(message.id, message.total, ctx.logger)

    async def _settle(self, order_id: UUID, amount: Money, logger: Logger) -> Payment:
        existing = self._payments.get(order_id)
        if existing is not None:
            return existing
        payment = Payment(id=uuid4(), order_id=order_id, amount=amount, settled_at=datetime.now(UTC))
        self._payments[order_id] = payment
        try:
            await self.deps.events.payment_settled(payment)
        except BaseException:
            self._payments.pop(order_id, None)  # not settled: a retry publishes again
            raise
        logger.info("payment %s settled for order %s", payment.id, order_id,
                    extra={"order_id": str(order_id), "payment_id": str(payment.id)})
        return payment
