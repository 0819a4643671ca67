"""Compose services for the infrastructure the system needs: broker, databases, gateway, identity, observability.

Each component appears only when the system needs it; images are pinned in rosec.model.infrastructure.
"""

from __future__ import annotations

from typing import Any

from rosec.model import infrastructure as infra
from rosec.model.datastores import Datastore
from rosec.model.gateway import gateway, node_settings, start_command
from rosec.model.identity import SIGNING_PUBLIC_KEY_ENV, realm_secrets
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
    """Production mode (`start --import-realm`) over plain HTTP on localhost, the realm imported from the generated
    file. State stays in the container (KC_DB=dev-file, set explicitly): the realm is imported whenever the container
    is created, so the local realm always follows the spec; the other hostings run Keycloak on PostgreSQL."""
    keycloak, layout, environment = infra.KEYCLOAK, ctx.system.layout, ctx.environment
    identity = ctx.system.identity
    assert environment.identity_url is not None and identity is not None
    # The image has neither curl nor wget: ask the management port for readiness through bash's /dev/tcp.
    probe = (f"exec 3<>/dev/tcp/127.0.0.1/{infra.KEYCLOAK_MANAGEMENT_PORT} && "
             "printf 'GET /health/ready HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && "
             'read -r status <&3 && [[ "$status" == *" 200 "* ]]')
    secrets = realm_secrets(identity, environment.dev_users)
    return _entry(
        ctx, keycloak.image, ["CMD", "bash", "-c", probe], keycloak.startup_s, hardening.KEYCLOAK,
        command=["start", "--import-realm"],
        environment={
            "KC_DB": "dev-file",
            "KC_HOSTNAME": literal(environment.identity_url),
            "KC_HOSTNAME_BACKCHANNEL_DYNAMIC": "true",
            "KC_HTTP_ENABLED": "true",  # local only: the hostname is http://localhost, nothing leaves the machine
            "KC_HEALTH_ENABLED": "true",
            "KC_METRICS_ENABLED": "true",
            "KC_BOOTSTRAP_ADMIN_USERNAME": infra.KEYCLOAK_ADMIN_USER,
            "KC_BOOTSTRAP_ADMIN_PASSWORD": ctx.vars.required(infra.KEYCLOAK_ADMIN_PASSWORD_ENV, keycloak.host),
            # Read by the realm's ${...} placeholders at import: the signing key, client secrets, user passwords.
            **{name: ctx.vars.required(name, keycloak.host) for name in secrets},
        },
        ports=[publish(keycloak.published_port or keycloak.port, keycloak.port)],
        volumes=ctx.binds((layout.keycloak_import_dir(environment.name), infra.KEYCLOAK_IMPORT_PATH)),
    )


def _kong(ctx: Context) -> dict[str, Any]:
    """DB-less, the admin API on the container's loopback only, the Status API (health, the prometheus plugin's
    metrics) inside the network. The configuration carries a placeholder for the realm's public key, which the
    start command fills in from the environment (rosec.model.gateway.start_script)."""
    kong, system, environment = infra.KONG, ctx.system, ctx.environment
    edge = gateway(system, environment)
    upstreams = tuple(dict.fromkeys(s.host for s in edge.services if running(environment, s.service)))
    config = ctx.binds((system.layout.kong_config(environment.name), infra.KONG_CONFIG_PATH))
    needs_key = bool(config) and edge.verifies_tokens
    listen = f"0.0.0.0:{kong.port}" + (f", 0.0.0.0:{infra.KONG_GRPC_PORT} http2" if edge.grpc else "")
    variables = node_settings(edge, listen, configured=bool(config))
    if needs_key:
        variables[SIGNING_PUBLIC_KEY_ENV] = ctx.vars.required(SIGNING_PUBLIC_KEY_ENV, kong.host)
    redis = edge.policy.redis
    if redis is not None and redis.password_env:  # read by the {vault://env/...} reference of the plugins
        variables[redis.password_env] = ctx.vars.required(redis.password_env, kong.host)
    ports = [publish(kong.published_port or kong.port, kong.port)]
    if edge.grpc:
        ports.append(publish(infra.KONG_GRPC_PORT))
    command = start_command(edge)
    return _entry(
        ctx, kong.image, ["CMD", "kong", "health"], kong.startup_s, hardening.KONG,
        entrypoint=[*command[:-1], literal(command[-1])] if needs_key else None,
        environment=variables,
        ports=ports,
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
