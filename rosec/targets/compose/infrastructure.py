"""Compose services for the infrastructure the system needs: broker, databases, gateway, identity, observability.

Each component appears only when the system needs it; images are pinned in rosec.model.infrastructure.
"""

from __future__ import annotations

from typing import Any

from rosec.model import infrastructure as infra
from rosec.model.datastores import Datastore
from rosec.model.gateway import gateway, start_script
from rosec.model.identity import SIGNING_PRIVATE_KEY_ENV, SIGNING_PUBLIC_KEY_ENV
from rosec.targets.compose import hardening
from rosec.targets.compose.common import Context, healthcheck, healthy, literal, publish
from rosec.targets.compose.hardening import Hardening, locked_down
from rosec.targets.compose.services import running


def infrastructure(ctx: Context) -> dict[str, dict[str, Any]]:
    system = ctx.system
    found: dict[str, dict[str, Any]] = {}
    if system.messaging:
        found[infra.RABBITMQ.host] = _rabbitmq(ctx)
    for store in system.datastores:
        if store.engine == "postgres":
            found[store.host] = _postgres(ctx, store)
    if system.identity:
        found[infra.KEYCLOAK.host] = _keycloak(ctx)
    if system.has_gateway:
        found[infra.KONG.host] = _kong(ctx)
    if system.observability.metrics:
        found[infra.PROMETHEUS.host] = _prometheus(ctx)
        found[infra.GRAFANA.host] = _grafana(ctx)
    if system.observability.logs:
        found[infra.ELASTICSEARCH.host] = _elasticsearch(ctx)
        found[infra.LOGSTASH.host] = _logstash(ctx)
        found[infra.KIBANA.host] = _kibana(ctx)
    return found


def _entry(ctx: Context, image: str, test: list[str], startup_s: int, locked: Hardening,
           depends_on: tuple[str, ...] = (), **fields: Any) -> dict[str, Any]:
    """One infrastructure container; `fields` (hostname, entrypoint, command, environment, ports, volumes) in that
    order; empty ones are left out."""
    entry: dict[str, Any] = {"image": image}
    entry |= {key: value for key, value in fields.items() if value}
    entry["networks"] = [ctx.network]
    if depends_on:
        entry["depends_on"] = healthy(list(depends_on))
    entry["healthcheck"] = healthcheck(test, start_period_s=startup_s)
    entry["restart"] = "unless-stopped"
    return entry | locked_down(locked)


def _state(ctx: Context, component: infra.Component) -> str:
    assert component.volume and component.data_path, f"{component.host} keeps no state"
    return ctx.volume(component.volume, component.data_path)


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
    secrets = [SIGNING_PRIVATE_KEY_ENV, *(c.secret_env for c in identity.clients if c.secret_env),
               *(u.password_env for u in environment.dev_users)]
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
            **{name: ctx.vars.required(name, keycloak.host) for name in dict.fromkeys(secrets)},
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
    needs_key = bool(config) and edge.issuer is not None and any(r.authenticated for r in edge.routes)
    listen = f"0.0.0.0:{kong.port}" + (f", 0.0.0.0:{infra.KONG_GRPC_PORT} http2" if edge.grpc else "")
    variables = {
        "KONG_DATABASE": "off",
        **({"KONG_DECLARATIVE_CONFIG": infra.KONG_RENDERED_CONFIG_PATH if needs_key else infra.KONG_CONFIG_PATH}
           if config else {}),
        "KONG_PREFIX": hardening.KONG_PREFIX,
        "KONG_PROXY_LISTEN": listen,
        "KONG_ADMIN_LISTEN": f"127.0.0.1:{infra.KONG_ADMIN_PORT}",
        "KONG_STATUS_LISTEN": infra.KONG_STATUS_LISTEN,
        "KONG_PROXY_ACCESS_LOG": "/dev/stdout",
        "KONG_ADMIN_ACCESS_LOG": "/dev/stdout",
        "KONG_PROXY_ERROR_LOG": "/dev/stderr",
        "KONG_ADMIN_ERROR_LOG": "/dev/stderr",
    }
    if needs_key:
        variables[SIGNING_PUBLIC_KEY_ENV] = ctx.vars.required(SIGNING_PUBLIC_KEY_ENV, kong.host)
    redis = edge.policy.redis
    if redis is not None and redis.password_env:  # read by the {vault://env/...} reference of the plugins
        variables[redis.password_env] = ctx.vars.required(redis.password_env, kong.host)
    ports = [publish(kong.published_port or kong.port, kong.port)]
    if edge.grpc:
        ports.append(publish(infra.KONG_GRPC_PORT))
    start = start_script(infra.KONG_CONFIG_PATH, infra.KONG_RENDERED_CONFIG_PATH)
    return _entry(
        ctx, kong.image, ["CMD", "kong", "health"], kong.startup_s, hardening.KONG,
        entrypoint=["/bin/sh", "-c", literal(start)] if needs_key else None,
        environment=variables,
        ports=ports,
        volumes=config,
        depends_on=upstreams,
    )


def _prometheus(ctx: Context) -> dict[str, Any]:
    prometheus = infra.PROMETHEUS
    return _entry(
        ctx, prometheus.image,
        ["CMD", "wget", "-q", "-O", "/dev/null", f"http://127.0.0.1:{prometheus.port}/-/ready"], prometheus.startup_s,
        hardening.PROMETHEUS,
        command=[f"--config.file={infra.PROMETHEUS_CONFIG_DIR}/{infra.PROMETHEUS_CONFIG_FILE}",
                 f"--storage.tsdb.path={prometheus.data_path}"],
        ports=[publish(prometheus.published_port or prometheus.port, prometheus.port)],
        volumes=[*ctx.binds((ctx.system.layout.prometheus_dir, infra.PROMETHEUS_CONFIG_DIR)), _state(ctx, prometheus)],
    )


def _grafana(ctx: Context) -> dict[str, Any]:
    grafana, layout = infra.GRAFANA, ctx.system.layout
    return _entry(
        ctx, grafana.image,
        ["CMD", "wget", "-q", "-O", "/dev/null", f"http://127.0.0.1:{grafana.port}/api/health"], grafana.startup_s,
        hardening.GRAFANA,
        environment={
            "GF_SECURITY_ADMIN_USER": infra.GRAFANA_ADMIN_USER,
            "GF_SECURITY_ADMIN_PASSWORD": ctx.vars.required(infra.GRAFANA_ADMIN_PASSWORD_ENV, grafana.host),
            "GF_AUTH_ANONYMOUS_ENABLED": "false",
            "GF_USERS_ALLOW_SIGN_UP": "false",
        },
        ports=[publish(grafana.published_port or grafana.port, grafana.port)],
        volumes=[*ctx.binds((layout.grafana_provisioning_dir, infra.GRAFANA_PROVISIONING_PATH),
                            (layout.grafana_dashboards_dir, infra.GRAFANA_DASHBOARDS_PATH)),
                 _state(ctx, grafana)],
        depends_on=(infra.PROMETHEUS.host,),
    )


def _elasticsearch(ctx: Context) -> dict[str, Any]:
    es, heap = infra.ELASTICSEARCH, infra.ELASTICSEARCH_HEAP
    return _entry(
        ctx, es.image,
        ["CMD", "curl", "-fsS", f"http://127.0.0.1:{es.port}/_cluster/health?wait_for_status=yellow&timeout=5s"],
        es.startup_s, hardening.ELASTICSEARCH,
        environment={
            "discovery.type": "single-node",
            "ES_JAVA_OPTS": f"-Xms{heap} -Xmx{heap}",
            # Reachable only inside the compose network: Elasticsearch is never published.
            "xpack.security.enabled": "false",
        },
        volumes=[_state(ctx, es)],
    )


def _logstash(ctx: Context) -> dict[str, Any]:
    logstash, heap = infra.LOGSTASH, infra.LOGSTASH_HEAP
    return _entry(
        ctx, logstash.image, ["CMD", "curl", "-fsS", f"http://127.0.0.1:{infra.LOGSTASH_API_PORT}/"],
        logstash.startup_s, hardening.LOGSTASH,
        environment={"LS_JAVA_OPTS": f"-Xms{heap} -Xmx{heap}", "XPACK_MONITORING_ENABLED": "false"},
        # Docker's gelf log driver runs on the host and sends to this published UDP port.
        ports=[publish(logstash.published_port or logstash.port, logstash.port, "udp")],
        volumes=ctx.binds((ctx.system.layout.logstash_pipeline_dir, infra.LOGSTASH_PIPELINE_PATH)),
        depends_on=(infra.ELASTICSEARCH.host,),
    )


def _kibana(ctx: Context) -> dict[str, Any]:
    kibana, es = infra.KIBANA, infra.ELASTICSEARCH
    return _entry(
        ctx, kibana.image, ["CMD", "curl", "-fsS", f"http://127.0.0.1:{kibana.port}/api/status"], kibana.startup_s,
        hardening.KIBANA,
        environment={
            "ELASTICSEARCH_HOSTS": f"http://{es.host}:{es.port}",
            "SERVER_PUBLICBASEURL": f"http://localhost:{kibana.published_port}",
        },
        ports=[publish(kibana.published_port or kibana.port, kibana.port)],
        depends_on=(es.host,),
    )
