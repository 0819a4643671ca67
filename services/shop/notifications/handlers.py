"""Handlers of the notifications service: what customers are told about orders and payments.

E-mails are not sent here (SEND_EMAILS is false by default): every notification is recorded in memory and logged,
and every settled payment leaves a receipt file in the `receipts` volume.

`rosec build` never overwrites this file. The contract is NotificationsHandlers in
    generated/shop/services/notifications/handlers.py
`self.deps` (NotificationsDeps) holds: receipts, config, secrets.
"""

from __future__ import annotations

import asyncio
import os
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from notifications.deps import NotificationsDeps
from notifications.handlers import NotificationsHandlers
from notifications.models import Order, Payment
from rose_runtime.context import MessageContext

KEEP_NOTIFICATIONS = 1000  # the most recent ones, in memory


@dataclass(frozen=True)
class Notification:
    event: str
    order_id: UUID
    text: str


class Handlers(NotificationsHandlers):
    """Records notifications; writes receipts/payment-<id>.json for each settled payment."""

    def __init__(self, deps: NotificationsDeps) -> None:
        super().__init__(deps)
        self.sent: deque[Notification] = deque(maxlen=KEEP_NOTIFICATIONS)

    async def on_startup(self) -> None:
        await asyncio.to_thread(self.deps.receipts.mkdir, parents=True, exist_ok=True)

    async def on_order_created(self, message: Order, ctx: MessageContext) -> None:
        """Consumes event order.created (Order)"""
        self._record(ctx, Notification(ctx.event, message.id, f"Thank you for your order of "
                                                              f"{message.total.amount} {message.total.currency}."))

    async def on_payment_settled(self, message: Payment, ctx: MessageContext) -> None:
        """Consumes event payment.settled (Payment): a receipt file, then the notification."""
        path = self.deps.receipts / f"payment-{message.id}.json"
        await asyncio.to_thread(_write_atomically, path, message.model_dump_json(indent=2) + "\n")
        self._record(ctx, Notification(ctx.event, message.order_id, f"We received your payment of "
                                                                    f"{message.amount.amount} "
                                                                    f"{message.amount.currency}."))

    def _record(self, ctx: MessageContext, notification: Notification) -> None:
        self.sent.append(notification)
        ctx.logger.info("notified about %s of order %s", notification.event, notification.order_id,
                        extra={"order_id": str(notification.order_id)})


def _write_atomically(path: Path, text: str) -> None:
    """Readers never see a partly written receipt; a redelivered message writes the same file again."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, "utf-8")
    os.replace(partial, path)
