"""Retries of a failed delivery: the attempt a message is on, the backoff before the next one, and the copy of
the message that goes to the retry queue with that delay as its expiration (rose_runtime.amqp republishes it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

ATTEMPT_HEADER = "x-rose-attempt"
BACKOFF_BASE_SECONDS = 0.2
BACKOFF_CAP_SECONDS = 30.0
# Headers the broker sets when it dead-letters a message; a republished retry must not carry them.
_BROKER_HEADER_PREFIXES = ("x-death", "x-first-death-", "x-last-death-")


def backoff(attempt: int, base: float = BACKOFF_BASE_SECONDS, cap: float = BACKOFF_CAP_SECONDS) -> float:
    """Delay before delivery `attempt + 1` after attempt `attempt` failed: base * 2**(attempt-1), capped."""
    return float(min(cap, base * 2 ** (max(attempt, 1) - 1)))


def attempt_of(headers: Mapping[str, Any] | None) -> int:
    """The delivery attempt a message is on (1 for a message never retried, or with an unreadable header)."""
    value = (headers or {}).get(ATTEMPT_HEADER, 1)
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def retry_message(message: AbstractIncomingMessage, next_attempt: int, delay: float) -> aio_pika.Message:
    """The message again, persistent, on its next attempt, expiring from the retry queue after `delay` seconds."""
    headers = {k: v for k, v in (message.headers or {}).items() if not k.startswith(_BROKER_HEADER_PREFIXES)}
    headers[ATTEMPT_HEADER] = next_attempt
    return aio_pika.Message(
        body=message.body,
        headers=headers,
        content_type=message.content_type,
        content_encoding=message.content_encoding,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=message.message_id,
        correlation_id=message.correlation_id,
        timestamp=message.timestamp,
        type=message.type,
        app_id=message.app_id,
        expiration=delay,
    )
