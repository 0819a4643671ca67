"""Compose services for the infrastructure the system needs: broker, databases, gateway, identity, observability.

Each component appears only when the system needs it; images are pinned in rosec.model.infrastructure.
"""

from __future__ import annotations

from typing import Any

from rosec.model import infrastructure as infra
from rosec.model.datastores import Datastore
from rosec.model.scrape import exporter_host
from rosec.targets.compose import hardening
from rosec.targets.compose.common import Context, literal, publish
from rosec.targets.compose.containers import entry as _entry
from rosec.targets.compose.containers import state as _state
from rosec.targets.compose.monitoring import monitoring, postgres_exporter
from rosec.targets.compose.services import running
from rosec.targets.logs.setup import password_variables


def infrastructure(ctx: Context) -> dict[str, dict[str, Any]]:
    system = ctx.system
    found: dict[str, dict[str, Any]] = {}
    if system.messaging:
        found[infra.RABBITMQ.host] = _rabbitmq(ctx)
    for store in system.datastores:
        if store.engine == "postgres":
            found[store.host] = _postgres(ctx, store)
            if system.observability.metrics:
                found[exporter_host(store)] = postgres_exporter(ctx, store)
    if system.identity:
        found[infra.KEYCLOAK.host] = _keycloak(ctx)
    if system.has_gateway:
        found[infra.KONG.host] = _kong(ctx)
    if system.observability.metrics:
        found |= monitoring(ctx)
    if system.observability.logs:
        found[infra.ELASTICSEARCH.host] = _elasticsearch(ctx)
        found[infra.ELASTIC_SETUP_HOST] = _elastic_setup(ctx)
        found[infra.LOGSTASH.host] = _logstash(ctx)
        found[infra.KIBANA.host] = _kibana(ctx)
    return found


def _rabbitmq(ctx: Context) -> dict[str, Any]:
    messaging, rabbitmq = ctx.system.messaging, infra.RABBITMQ
    assert messaging is not None
    return _entry(
        ctx, rabbitmq.image, ["CMD", "rabbitmq-diagnostics", "-q", "ping"], rabbitmq.startup_s, hardening.RABBITMQ,
        hostname=rabbitmq.host,  # the node name follows the host name, and the data directory the node name
        environment={
            "RABBITMQ_DEFAULT_USER": literal(messaging.user),
            "RABBITMQ_DEFAULT_PASS": ctx.vars.required(messaging.password_env, rabbitmq.host),
            "RABBITMQ_DEFAULT_VHOST": literal(messaging.vhost),
        },
        ports=[publish(rabbitmq.published_port or infra.RABBITMQ_MANAGEMENT_PORT, infra.RABBITMQ_MANAGEMENT_PORT)],
        volumes=[_state(ctx, rabbitmq)],
    )


def _postgres(ctx: Context, store: Datastore) -> dict[str, Any]:
    return _entry(
        ctx, infra.postgres_image(store.version), ["CMD", "pg_isready", "-U", store.user, "-d", store.database],
        infra.POSTGRES_STARTUP_S, hardening.POSTGRES,
        environment={
            "POSTGRES_USER": literal(store.user),
            "POSTGRES_DB": literal(store.database),
            "POSTGRES_PASSWORD": ctx.vars.required(store.password_env, store.host),
        },
        volumes=[ctx.volume(store.volume, infra.postgres_data_path(store.version))],
    )


def _keycloak(ctx: Context) -> dict[str, Any]:
    keycloak, layout = infra.KEYCLOAK, ctx.system.layout
    assert ctx.environment.identity_url is not None
    # The image has neither curl nor wget: ask the management port for readiness through bash's /dev/tcp.
    probe = (f"exec 3<>/dev/tcp/127.0.0.1/{infra.KEYCLOAK_MANAGEMENT_PORT} && "
             "printf 'GET /health/ready HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && "
             'read -r status <&3 && [[ "$status" == *" 200 "* ]]')
    return _entry(
        ctx, keycloak.image, ["CMD", "bash", "-c", probe], keycloak.startup_s, hardening.KEYCLOAK,
        command=["start-dev", "--import-realm"],
        environment={
            "KC_HEALTH_ENABLED": "true",
            "KC_METRICS_ENABLED": "true",  # /metrics on the management port, scraped by Prometheus
            "KC_HOSTNAME": literal(ctx.environment.identity_url),
            "KC_HOSTNAME_BACKCHANNEL_DYNAMIC": "true",
            "KC_BOOTSTRAP_ADMIN_USERNAME": infra.KEYCLOAK_ADMIN_USER,
            "KC_BOOTSTRAP_ADMIN_PASSWORD": ctx.vars.required(infra.KEYCLOAK_ADMIN_PASSWORD_ENV, keycloak.host),
        },
        ports=[publish(keycloak.published_port or keycloak.port, keycloak.port)],
        volumes=ctx.binds((layout.keycloak_import_dir, infra.KEYCLOAK_IMPORT_PATH)),
    )


def _kong(ctx: Context) -> dict[str, Any]:
    kong, system = infra.KONG, ctx.system
    upstreams = tuple(s.host for s in system.services if s.gateway and running(ctx.environment, s.name))
    config = ctx.binds((system.layout.kong_config, infra.KONG_CONFIG_PATH))
    return _entry(
        ctx, kong.image, ["CMD", "kong", "health"], kong.startup_s, hardening.KONG,
        environment={
            "KONG_DATABASE": "off",
            **({"KONG_DECLARATIVE_CONFIG": infra.KONG_CONFIG_PATH} if config else {}),
            "KONG_PREFIX": hardening.KONG_PREFIX,
            "KONG_PROXY_LISTEN": f"0.0.0.0:{kong.port}",
            "KONG_ADMIN_LISTEN": f"127.0.0.1:{infra.KONG_ADMIN_PORT}",
            "KONG_STATUS_LISTEN": f"0.0.0.0:{infra.KONG_STATUS_PORT}",  # the prometheus plugin's /metrics
            "KONG_PROXY_ACCESS_LOG": "/dev/stdout",
            "KONG_ADMIN_ACCESS_LOG": "/dev/stdout",
            "KONG_PROXY_ERROR_LOG": "/dev/stderr",
            "KONG_ADMIN_ERROR_LOG": "/dev/stderr",
        },
        ports=[publish(kong.published_port or kong.port, kong.port)],
        volumes=config,
        depends_on=upstreams,
    )


def _elasticsearch(ctx: Context) -> dict[str, Any]:
    es, heap = infra.ELASTICSEARCH, infra.ELASTICSEARCH_HEAP
    # Security on: every request authenticates (the elastic superuser only in the setup container and in this
    # healthcheck). Reachable only inside the compose network, never published: HTTP without TLS there.
    probe = (f'curl -fsS -o /dev/null -u "{infra.ELASTIC_SUPERUSER}:${infra.ELASTIC_PASSWORD_ENV}" '
             f"'http://127.0.0.1:{es.port}/_cluster/health?wait_for_status=yellow&timeout=5s'")
    return _entry(
        ctx, es.image, ["CMD-SHELL", probe], es.startup_s, hardening.ELASTICSEARCH,
        environment={
            "discovery.type": "single-node",
            "ES_JAVA_OPTS": f"-Xms{heap} -Xmx{heap}",
            "xpack.security.enabled": "true",
            "xpack.security.http.ssl.enabled": "false",
            "xpack.security.transport.ssl.enabled": "false",
            "xpack.license.self_generated.type": "basic",
            infra.ELASTIC_PASSWORD_ENV: ctx.vars.required(infra.ELASTIC_PASSWORD_ENV, es.host),
        },
        volumes=[_state(ctx, es)],
    )


def _elastic_setup(ctx: Context) -> dict[str, Any]:
    """The one-shot container that creates users, role, ILM policy, index template and the Kibana data view
    (config/elastic-setup/setup.sh) and exits; Logstash starts once it completed."""
    es, setup = infra.ELASTICSEARCH, infra.ELASTIC_SETUP_PATH
    mounts = ctx.binds((ctx.system.layout.elastic_setup_dir, setup))
    return _entry(
        ctx, es.image, None, es.startup_s, hardening.ELASTIC_SETUP,
        entrypoint=["bash", f"{setup}/setup.sh"],
        environment={name: ctx.vars.required(name, infra.ELASTIC_SETUP_HOST)
                     for name in password_variables(ctx.system)},
        volumes=mounts,
        depends_on=(es.host,),
    )


def _logstash(ctx: Context) -> dict[str, Any]:
    logstash, heap, es = infra.LOGSTASH, infra.LOGSTASH_HEAP, infra.ELASTICSEARCH
    entry = _entry(
        ctx, logstash.image, ["CMD", "curl", "-fsS", "-o", "/dev/null", f"http://127.0.0.1:{infra.LOGSTASH_API_PORT}/"],
        logstash.startup_s, hardening.LOGSTASH,
        environment={
            "LS_JAVA_OPTS": f"-Xms{heap} -Xmx{heap}",
            "XPACK_MONITORING_ENABLED": "false",
            infra.ELASTICSEARCH_URL_ENV: f"http://{es.host}:{es.port}",
            infra.LOGSTASH_WRITER_PASSWORD_ENV: ctx.vars.required(infra.LOGSTASH_WRITER_PASSWORD_ENV, logstash.host),
        },
        # Docker's gelf log driver runs on the host and sends to this published UDP port.
        ports=[publish(logstash.published_port or logstash.port, logstash.port, "udp")],
        volumes=ctx.binds((ctx.system.layout.logstash_pipeline_dir, infra.LOGSTASH_PIPELINE_PATH)),
        depends_on=(es.host,),
    )
    # Its user exists once the setup completed (compose waits for that, then starts Logstash).
    entry["depends_on"][infra.ELASTIC_SETUP_HOST] = {"condition": "service_completed_successfully"}
    return entry


def _kibana(ctx: Context) -> dict[str, Any]:
    kibana, es = infra.KIBANA, infra.ELASTICSEARCH
    # /api/status answers 401 to a request without credentials once Kibana serves, 503 before.
    probe = (f"test \"$(curl -s -o /dev/null -w '%{{http_code}}' http://127.0.0.1:{kibana.port}/api/status)\" "
             "-eq 401")
    return _entry(
        ctx, kibana.image, ["CMD-SHELL", probe], kibana.startup_s, hardening.KIBANA,
        environment={
            "ELASTICSEARCH_HOSTS": f"http://{es.host}:{es.port}",
            "ELASTICSEARCH_USERNAME": infra.KIBANA_SYSTEM_USER,
            "ELASTICSEARCH_PASSWORD": ctx.vars.required(infra.KIBANA_SYSTEM_PASSWORD_ENV, kibana.host),
            "SERVER_PUBLICBASEURL": f"http://localhost:{kibana.published_port}",
        },
        ports=[publish(kibana.published_port or kibana.port, kibana.port)],
        depends_on=(es.host,),
    )
