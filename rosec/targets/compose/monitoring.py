"""Compose services of the metrics stack: Prometheus, Alertmanager, Grafana and a postgres exporter per postgres
datastore. Each mounts exactly the files the prometheus, alertmanager and grafana targets write."""

from __future__ import annotations

from typing import Any

from rosec.model import infrastructure as infra
from rosec.model.alerting import ALERTMANAGER_SECRETS_DIR
from rosec.model.datastores import Datastore
from rosec.targets.compose import hardening
from rosec.targets.compose.common import Context, publish
from rosec.targets.compose.containers import entry, http_probe, state

COMPOSE_SECRETS_DIR = "/run/secrets"  # where compose mounts a service's secrets


def monitoring(ctx: Context) -> dict[str, dict[str, Any]]:
    return {
        infra.PROMETHEUS.host: _prometheus(ctx),
        infra.ALERTMANAGER.host: _alertmanager(ctx),
        infra.GRAFANA.host: _grafana(ctx),
    }


def _prometheus(ctx: Context) -> dict[str, Any]:
    prometheus = infra.PROMETHEUS
    return entry(
        ctx, prometheus.image, http_probe(prometheus.port, "/-/ready"), prometheus.startup_s, hardening.PROMETHEUS,
        command=[f"--config.file={infra.PROMETHEUS_CONFIG_DIR}/{infra.PROMETHEUS_CONFIG_FILE}",
                 f"--storage.tsdb.path={prometheus.data_path}"],
        ports=[publish(prometheus.published_port or prometheus.port, prometheus.port)],
        volumes=[*ctx.binds((ctx.system.layout.prometheus_dir, infra.PROMETHEUS_CONFIG_DIR)), state(ctx, prometheus)],
    )


def _alertmanager(ctx: Context) -> dict[str, Any]:
    alertmanager = infra.ALERTMANAGER
    assert ALERTMANAGER_SECRETS_DIR == COMPOSE_SECRETS_DIR, "alertmanager.yml reads secrets where compose mounts them"
    return entry(
        ctx, alertmanager.image, http_probe(alertmanager.port, "/-/ready"), alertmanager.startup_s,
        hardening.ALERTMANAGER,
        command=[f"--config.file={infra.ALERTMANAGER_CONFIG_DIR}/{infra.ALERTMANAGER_CONFIG_FILE}",
                 f"--storage.path={alertmanager.data_path}",
                 "--cluster.listen-address="],  # one instance: no gossip port
        ports=[publish(alertmanager.published_port or alertmanager.port, alertmanager.port)],
        volumes=[*ctx.binds((ctx.system.layout.alertmanager_dir, infra.ALERTMANAGER_CONFIG_DIR)),
                 state(ctx, alertmanager)],
        secrets=[ctx.secret(name, alertmanager.host) for name in ctx.system.alerting.secrets],
    )


def _grafana(ctx: Context) -> dict[str, Any]:
    grafana, layout = infra.GRAFANA, ctx.system.layout
    return entry(
        ctx, grafana.image, http_probe(grafana.port, "/api/health"), grafana.startup_s, hardening.GRAFANA,
        environment={
            "GF_SECURITY_ADMIN_USER": infra.GRAFANA_ADMIN_USER,
            "GF_SECURITY_ADMIN_PASSWORD": ctx.vars.required(infra.GRAFANA_ADMIN_PASSWORD_ENV, grafana.host),
            "GF_AUTH_ANONYMOUS_ENABLED": "false",
            "GF_USERS_ALLOW_SIGN_UP": "false",
        } | _logs_reader(ctx),
        ports=[publish(grafana.published_port or grafana.port, grafana.port)],
        volumes=[*ctx.binds((layout.grafana_provisioning_dir, infra.GRAFANA_PROVISIONING_PATH),
                            (layout.grafana_dashboards_dir, infra.GRAFANA_DASHBOARDS_PATH)),
                 state(ctx, grafana)],
        depends_on=(infra.PROMETHEUS.host,),
    )


def _logs_reader(ctx: Context) -> dict[str, str]:
    """The password of the user Grafana's Elasticsearch datasource reads the logs as (the logs target's setup)."""
    if not ctx.system.observability.logs:
        return {}
    name = infra.GRAFANA_ELASTICSEARCH_PASSWORD_ENV
    return {name: ctx.vars.required(name, infra.GRAFANA.host)}


def postgres_exporter(ctx: Context, store: Datastore) -> dict[str, Any]:
    """Reads the datastore's statistics as its owner user (the only role compose creates), over the compose
    network; the password comes from the same secret the services use."""
    port = infra.POSTGRES_EXPORTER_PORT
    return entry(
        ctx, infra.POSTGRES_EXPORTER_IMAGE, http_probe(port, "/"), infra.POSTGRES_EXPORTER_STARTUP_S,
        hardening.POSTGRES_EXPORTER,
        environment={
            "DATA_SOURCE_URI": f"{store.host}:{store.port}/{store.database}?sslmode=disable",
            "DATA_SOURCE_USER": store.user,
            "DATA_SOURCE_PASS": ctx.vars.required(store.password_env, f"{store.host}-exporter"),
        },
        depends_on=(store.host,),
    )
