"""The thresholds of the infrastructure alerts rosec generates, once for every place that evaluates them: the
Prometheus target's rules (rosec/targets/prometheus/alerts.py) and, on AWS, the CloudWatch alarms of what Managed
Prometheus cannot see (rosec/model/aws_alarms.py)."""

from __future__ import annotations

from dataclasses import dataclass

from rosec.model.alerting import PAGE, TICKET
from rosec.model.datastores import Datastore
from rosec.model.system import System

DEAD_LETTERS_ALERT = "DeadLetterQueueNotEmpty"
BACKLOG_ALERT = "QueueBacklogGrowing"
AGEING_ALERT = "QueueMessagesAgeing"
NO_CONSUMER_ALERT = "QueueWithoutConsumer"
TARGET_DOWN_ALERT = "TargetDown"
DATASTORE_FULL_ALERT = "DatastoreNearlyFull"


@dataclass(frozen=True)
class Condition:
    severity: str
    for_s: int  # how long the condition holds before the alert fires

    @property
    def for_(self) -> str:
        """The duration as Prometheus writes it (whole minutes: 15m)."""
        return f"{self.for_s // 60}m" if self.for_s % 60 == 0 else f"{self.for_s}s"


DEAD_LETTERS = Condition(TICKET, 60)  # a dead-letter queue holds a message
BACKLOG = Condition(TICKET, 900)  # a queue's depth never drained and kept growing over this window
AGEING = Condition(TICKET, 300)
MAX_MESSAGE_AGE_S = 600
NO_CONSUMER = Condition(PAGE, 300)  # a consumer queue has no consumer
TARGET_DOWN = Condition(PAGE, 300)  # Prometheus cannot scrape a target
# A datastore uses more than this share of its size (the spec's size_gb; on AWS the instance's allocated storage).
DATASTORE_FULL = ((Condition(TICKET, 900), 0.8), (Condition(PAGE, 900), 0.95))


def datastore_owner(system: System, store: Datastore) -> str:
    """The team whose routes get a datastore's alerts: the owner of its services when they share one, else none."""
    return system.once(("datastore owners",), lambda: _datastore_owners(system)).get(store.name, "")


def _datastore_owners(system: System) -> dict[str, str]:
    """{datastore: owner} of every datastore whose services share one owner (one pass, not one per datastore)."""
    owners: dict[str, set[str]] = {}
    for service in system.services:
        for name in service.uses:
            owners.setdefault(name, set()).add(service.owner)
    return {name: found.pop() for name, found in owners.items() if len(found) == 1 and "" not in found}
