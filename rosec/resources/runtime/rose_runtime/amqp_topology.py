"""The RabbitMQ topology of one service, as the rosec model derives it (the same names and arguments as
messaging/definitions.json): the system's exchanges and the queues of each event the service consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class ConsumerTopology:
    """The queues of one consumed event."""

    event: str
    queue: str  # <system>.<service>.<event>
    retry_queue: str  # <queue>.retry
    dead_letter_queue: str  # <queue>.dead
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    # x-arguments as the rosec model derives them (the same as in messaging/definitions.json): the main queue
    # dead-letters to the dead-letter exchange, the retry queue back to the main queue through the default exchange.
    queue_arguments: tuple[tuple[str, str], ...] = ()
    retry_queue_arguments: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Topology:
    """Exchanges of the system and the queues of the events this service consumes."""

    exchange: str  # <system>.events, topic
    retry_exchange: str  # <system>.retry, direct
    dead_letter_exchange: str  # <system>.dead-letter, direct
    consumers: tuple[ConsumerTopology, ...] = field(default=())

    def consumer(self, queue: str) -> ConsumerTopology:
        for consumer in self.consumers:
            if consumer.queue == queue:
                return consumer
        raise KeyError(f"queue {queue!r} is not in this service's topology")

    @staticmethod
    def queue_arguments(consumer: ConsumerTopology) -> dict[str, Any]:
        return dict(consumer.queue_arguments)

    @staticmethod
    def retry_queue_arguments(consumer: ConsumerTopology) -> dict[str, Any]:
        return dict(consumer.retry_queue_arguments)
