"""Alerts from the topology: per consumer queue (dead letters, growing backlog, ageing messages, no consumer) and
for the infrastructure (a scrape target down, a datastore near its size)."""

from __future__ import annotations

from typing import Any

from rosec.model.alert_rules import (
    AGEING,
    AGEING_ALERT,
    BACKLOG,
    BACKLOG_ALERT,
    DATASTORE_FULL,
    DATASTORE_FULL_ALERT,
    DEAD_LETTERS,
    DEAD_LETTERS_ALERT,
    MAX_MESSAGE_AGE_S,
    NO_CONSUMER,
    NO_CONSUMER_ALERT,
    TARGET_DOWN,
    TARGET_DOWN_ALERT,
    Condition,
    datastore_owner,
)
from rosec.model.datastores import Datastore
from rosec.model.messaging import Consumer
from rosec.model.scrape import POSTGRES_JOB, RABBITMQ_QUEUES_JOB, SERVICES_JOB
from rosec.model.services import Service
from rosec.model.system import System
from rosec.targets.prometheus.promql import selector

BACKLOG_WINDOW = BACKLOG.for_


def messaging_groups(system: System) -> list[dict[str, Any]]:
    if system.messaging is None:
        return []
    vhost = system.messaging.vhost
    rules = [rule for service in system.services for consumer in service.consumers
             for rule in _queue_alerts(service, consumer, vhost)]
    return [{"name": "messaging", "rules": rules}] if rules else []


def _queue_alerts(service: Service, consumer: Consumer, vhost: str) -> list[dict[str, Any]]:
    def queue(metric: str, name: str) -> str:
        return selector(f"rabbitmq_detailed_queue_{metric}", ("job", "=", RABBITMQ_QUEUES_JOB),
                        ("vhost", "=", vhost), ("queue", "=", name))

    depth, dead = queue("messages", consumer.queue), queue("messages", consumer.dead_letter_queue)
    labels = {"event": consumer.event, "queue": consumer.queue}
    where = f"queue {consumer.queue} ({service.name} consuming {consumer.event})"
    return [
        _alert(DEAD_LETTERS_ALERT, f"{dead} > 0", service, DEAD_LETTERS, labels | {"queue": consumer.dead_letter_queue},
               f"dead letters in {consumer.dead_letter_queue}",
               f"Messages of {consumer.event} failed {consumer.max_attempts} times in {service.name} and were "
               "dead-lettered; inspect them, fix the cause, then move them back or drop them."),
        _alert(BACKLOG_ALERT, f"min_over_time({depth}[{BACKLOG_WINDOW}]) > 0 and deriv({depth}[{BACKLOG_WINDOW}]) > 0",
               service, BACKLOG, labels, f"the backlog of {consumer.queue} keeps growing",
               f"The depth of {where} has grown for {BACKLOG_WINDOW} without draining: consumers fall behind."),
        _alert(AGEING_ALERT, f"time() - {queue('head_message_timestamp', consumer.queue)} > {MAX_MESSAGE_AGE_S}",
               service, AGEING, labels, f"the oldest message in {consumer.queue} keeps ageing",
               f"The message at the head of {where} is older than {MAX_MESSAGE_AGE_S} s and still waiting."),
        _alert(NO_CONSUMER_ALERT, f"{queue('consumers', consumer.queue)} == 0", service, NO_CONSUMER, labels,
               f"nobody consumes {consumer.queue}",
               f"{where} has no consumer: {consumer.event} events pile up unhandled."),
    ]


def infrastructure_groups(system: System) -> list[dict[str, Any]]:
    rules = [_alert(TARGET_DOWN_ALERT, f"{selector('up', ('job', '=', SERVICES_JOB), ('service', '=', s.name))} == 0",
                    s, TARGET_DOWN, {}, f"{s.name} is down", f"Prometheus cannot scrape {s.name} for 5 minutes.")
             for s in system.services]
    rules.append({
        "alert": TARGET_DOWN_ALERT,
        "expr": f"{selector('up', ('job', '!=', SERVICES_JOB))} == 0",
        "for": TARGET_DOWN.for_,
        "labels": {"severity": TARGET_DOWN.severity},
        "annotations": {"summary": "{{ $labels.service }} ({{ $labels.job }}) is down",
                        "description": "Prometheus cannot scrape {{ $labels.instance }} for 5 minutes."},
    })
    for store in (d for d in system.datastores if d.is_postgres):
        rules += _datastore_alerts(system, store)
    return [{"name": "infrastructure", "rules": rules}]


def _datastore_alerts(system: System, store: Datastore) -> list[dict[str, Any]]:
    size = selector("pg_database_size_bytes", ("job", "=", POSTGRES_JOB), ("datastore", "=", store.name),
                    ("datname", "=", store.database))
    capacity = store.size_gb * 2**30
    owner = datastore_owner(system, store)
    labels = {"datastore": store.name} | ({"owner": owner} if owner else {})
    return [{
        "alert": DATASTORE_FULL_ALERT,
        "expr": f"{size} > {share} * {capacity}",
        "for": condition.for_,
        "labels": {"severity": condition.severity, **labels},
        "annotations": {
            "summary": f"{store.name} uses more than {round(share * 100)} % of its {store.size_gb} GiB",
            "description": f"The database {store.database} grows towards the size_gb of {store.name}; "
                           "raise size_gb (and the volume) or clean up.",
        },
    } for condition, share in DATASTORE_FULL]


def _alert(name: str, expr: str, service: Service, condition: Condition, labels: dict[str, str],
           summary: str, description: str) -> dict[str, Any]:
    all_labels = {"severity": condition.severity, "service": service.name, **labels}
    if service.owner:
        all_labels["owner"] = service.owner
    return {"alert": name, "expr": expr, "for": condition.for_, "labels": all_labels,
            "annotations": {"summary": f"{service.name}: {summary}", "description": description}}
