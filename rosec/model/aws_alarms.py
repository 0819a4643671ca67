"""CloudWatch alarms of an AWS environment: the alerts whose metrics Managed Prometheus never receives, because
the datastores and the broker are managed services the metrics agent does not scrape.

- per RDS instance, DatastoreNearlyFull: FreeStorageSpace below (1 - share) of the allocated storage, for each
  share and severity of the Prometheus alert (rosec.model.alert_rules.DATASTORE_FULL);
- per consumer of the Amazon MQ broker: DeadLetterQueueNotEmpty (MessageCount of its dead-letter queue above 0),
  QueueWithoutConsumer (ConsumerCount of its queue below 1) and QueueBacklogGrowing (the queue's depth never
  drained and grew in every step of the window, as metric math over MessageCount).

Each alarm notifies the SNS topic of the receiver the spec's routing sends that severity and owner to
(rosec.model.alerting.Alerting.receiver); an alarm whose receiver has no topic (no `alerts` section, the `none`
receiver, or no metrics workspace and so no topics) changes state in CloudWatch without notifying anyone.
"""

from __future__ import annotations

from dataclasses import dataclass

from rosec.model import alert_rules as rules
from rosec.model.messaging import Consumer
from rosec.model.naming import bounded
from rosec.model.services import Service
from rosec.model.system import System

ALARM_NAME_LIMIT = 255  # CloudWatch's limit on an alarm's name
RDS, MQ = "AWS/RDS", "AWS/AmazonMQ"
STORAGE_PERIOD_S = 300  # RDS publishes FreeStorageSpace every minute; five-minute minimums smooth vacuum spikes
QUEUE_PERIOD_S = 60  # Amazon MQ publishes its metrics every minute
BACKLOG_STEP_S = 300  # the backlog's depth is compared step by step over rules.BACKLOG's window
# In a step: the queue's lowest depth is above 0 (it never drained) and above the previous step's (it grew).
BACKLOG_GROWS = "IF(m1 > 0 AND DIFF(m1) > 0, 1, 0)"
# Missing data: a dead-letter queue or a backlog without data has nothing to report; an RDS instance or a queue
# whose metrics stop (stopped, deleted, beyond what Amazon MQ publishes) keeps its state rather than paging.
NOT_BREACHING, MISSING = "notBreaching", "missing"


@dataclass(frozen=True)
class Alarm:
    key: str  # unique in the environment (Terraform's for_each key)
    name: str  # <system>-<environment>-..., at most ALARM_NAME_LIMIT characters
    alert: str  # the Prometheus alert it stands in for
    description: str
    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    statistic: str
    period_s: int
    evaluation_periods: int
    comparison: str
    threshold: int
    missing_data: str
    severity: str
    owner: str  # the team whose routes apply ("" for none)
    receiver: str  # the routing's receiver of the severity and owner, or alerting.NULL_RECEIVER
    expression: str | None = None  # metric math over the metric as m1; the alarm compares its result instead


def database_alarms(system: System, prefix: str, databases: tuple[tuple[str, str, int], ...]) -> tuple[Alarm, ...]:
    """`databases`: (datastore name or `identity`, RDS identifier, allocated GiB) of every instance."""
    stores = {d.name: d for d in system.datastores}
    found = []
    for key, identifier, storage_gb in databases:
        owner = rules.datastore_owner(system, stores[key]) if key in stores else ""
        for condition, share in rules.DATASTORE_FULL:
            free = round((1 - share) * storage_gb * 2**30)
            found.append(Alarm(
                key=f"{key}-storage-{condition.severity}", name=_name(prefix, key, f"storage-{condition.severity}"),
                alert=rules.DATASTORE_FULL_ALERT,
                description=f"{key} uses more than {round(share * 100)} % of its {storage_gb} GiB: less than "
                            f"{free} bytes free for {condition.for_}. Raise size_gb or clean up.",
                namespace=RDS, metric="FreeStorageSpace", dimensions=(("DBInstanceIdentifier", identifier),),
                statistic="Minimum", period_s=STORAGE_PERIOD_S,
                evaluation_periods=max(1, condition.for_s // STORAGE_PERIOD_S), comparison="LessThanThreshold",
                threshold=free, missing_data=MISSING, severity=condition.severity, owner=owner,
                receiver=system.alerting.receiver(condition.severity, owner)))
    return tuple(found)


def queue_alarms(system: System, prefix: str, broker: str) -> tuple[Alarm, ...]:
    """The alarms of every consumer's queues on the broker named `broker` (Amazon MQ's Broker dimension)."""
    return tuple(alarm for service in system.services for consumer in service.consumers
                 for alarm in _consumer_alarms(system, prefix, broker, service, consumer))


def _consumer_alarms(system: System, prefix: str, broker: str, service: Service, c: Consumer) -> list[Alarm]:
    assert system.messaging is not None
    vhost = system.messaging.vhost

    def alarm(kind: str, queue: str, condition: rules.Condition, alert: str, description: str, metric: str,
              statistic: str, period_s: int, comparison: str, threshold: int, missing: str,
              expression: str | None = None) -> Alarm:
        return Alarm(
            key=f"{c.queue}-{kind}", name=_name(prefix, c.queue, kind), alert=alert,
            description=f"{service.name}: {description}", namespace=MQ, metric=metric,
            dimensions=(("Broker", broker), ("VirtualHost", vhost), ("Queue", queue)), statistic=statistic,
            period_s=period_s, evaluation_periods=max(1, condition.for_s // period_s), comparison=comparison,
            threshold=threshold, missing_data=missing, severity=condition.severity, owner=service.owner,
            receiver=system.alerting.receiver(condition.severity, service.owner), expression=expression)

    return [
        alarm("dead-letters", c.dead_letter_queue, rules.DEAD_LETTERS, rules.DEAD_LETTERS_ALERT,
              f"messages of {c.event} failed {c.max_attempts} times and were dead-lettered in {c.dead_letter_queue}; "
              "inspect them, fix the cause, then move them back or drop them.",
              "MessageCount", "Maximum", QUEUE_PERIOD_S, "GreaterThanThreshold", 0, NOT_BREACHING),
        alarm("no-consumer", c.queue, rules.NO_CONSUMER, rules.NO_CONSUMER_ALERT,
              f"nobody consumes {c.queue} for {rules.NO_CONSUMER.for_}: {c.event} events pile up unhandled.",
              "ConsumerCount", "Maximum", QUEUE_PERIOD_S, "LessThanThreshold", 1, MISSING),
        alarm("backlog", c.queue, rules.BACKLOG, rules.BACKLOG_ALERT,
              f"the depth of {c.queue} has grown for {rules.BACKLOG.for_} without draining: consumers fall behind.",
              "MessageCount", "Minimum", BACKLOG_STEP_S, "GreaterThanOrEqualToThreshold", 1, NOT_BREACHING,
              expression=BACKLOG_GROWS),
    ]


def _name(prefix: str, subject: str, kind: str) -> str:
    return bounded(f"{prefix}-{subject}-{kind}", ALARM_NAME_LIMIT)
