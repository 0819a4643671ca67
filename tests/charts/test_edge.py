"""The edge in the platform chart: Kong runs exactly the Kong target's configuration, with the realm's public key
written in at start from a Secret; Keycloak imports exactly the Keycloak target's realm, every placeholder filled in
from a Secret the services read too; users reach both as the environment says; the gateway sees the client's
address; the NetworkPolicies let the gateway reach what it proxies to and the services reach Keycloak."""

from __future__ import annotations

import ipaddress
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from cryptography.hazmat.primitives import serialization

from charts.netpol import Pod, allowed
from charts.support import NAMESPACE, Rendered
from rosec.devissuer.keys import SigningKey
from rosec.emit.serialize import to_yaml
from rosec.model import gateway as gw
from rosec.model import identity, infrastructure
from rosec.model import kubernetes as k8s
from rosec.model import kubernetes_names as names
from rosec.model.environments import Environment
from rosec.model.kubernetes_edge import gateway_nodes
from rosec.targets.keycloak import realm
from rosec.targets.kong import kong_config


def _environment(rendered: Rendered) -> Environment:
    return rendered.system.environment(rendered.environment)


def _kong(rendered: Rendered) -> tuple[dict[str, Any], dict[str, Any]]:
    """The gateway's pod spec and its container."""
    pod = rendered.named("Deployment", "kong")["spec"]["template"]["spec"]
    return pod, pod["containers"][0]


def _variables(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["name"]: v for v in container.get("env", [])}


def _mounted(pod: dict[str, Any], container: dict[str, Any], path: str) -> dict[str, Any]:
    """The volume mounted at the directory of `path`."""
    directory = path.rsplit("/", 1)[0]
    mount = next(m for m in container["volumeMounts"] if m["mountPath"] == directory)
    return next(v for v in pod["volumes"] if v["name"] == mount["name"])


def test_the_gateway_runs_the_kong_targets_configuration(rendered: Rendered) -> None:
    system, environment = rendered.system, _environment(rendered)
    config_map = rendered.named("ConfigMap", "kong-config")
    assert config_map["data"]["kong.yaml"] == to_yaml(kong_config(system, environment), system.header()).decode()
    deployment = rendered.named("Deployment", "kong")
    pod, container = _kong(rendered)
    edge = gw.gateway(system, environment)
    assert deployment["spec"]["replicas"] == environment.gateway.replicas == edge.policy.nodes
    assert edge.policy.policy == ("redis" if environment.gateway.redis else "local")
    assert not [h for h in rendered.objects("HorizontalPodAutoscaler") if h["spec"]["scaleTargetRef"]["name"] == "kong"]
    variables = _variables(container)
    assert {name: v["value"] for name, v in variables.items() if "value" in v} == dict(
        gateway_nodes(system, environment).settings)
    assert variables["KONG_DATABASE"]["value"] == "off"
    assert _mounted(pod, container, infrastructure.KONG_CONFIG_PATH)["configMap"]["name"] == "kong-config"
    assert "emptyDir" in _mounted(pod, container, infrastructure.KONG_RENDERED_CONFIG_PATH)
    assert edge.verifies_tokens, "both systems have authenticated routes"
    assert variables["KONG_DECLARATIVE_CONFIG"]["value"] == infrastructure.KONG_RENDERED_CONFIG_PATH
    assert variables[identity.SIGNING_PUBLIC_KEY_ENV]["valueFrom"]["secretKeyRef"] == {
        "name": f"{system.name}-signing-key", "key": identity.SIGNING_PUBLIC_KEY_ENV}
    everything = json.dumps(list(rendered.objects()))
    assert "-----BEGIN" not in everything and "PRIVATE KEY" not in everything, "no key material in any manifest"


def test_the_gateways_start_command_writes_the_public_key_into_the_mounted_configuration(
        rendered: Rendered, tmp_path: Path) -> None:
    """The pod's own command, run on the ConfigMap's file with the variable the Secret provides."""
    _, container = _kong(rendered)
    template, output = tmp_path / "kong.yaml", tmp_path / "rendered.yaml"
    template.write_text(rendered.named("ConfigMap", "kong-config")["data"]["kong.yaml"], "utf-8")
    shell, flag, script = container["command"]
    assert (shell, flag) == ("/bin/sh", "-c") and script.endswith("exec /docker-entrypoint.sh kong docker-start")
    script = (script.replace(infrastructure.KONG_CONFIG_PATH, str(template))
              .replace(infrastructure.KONG_RENDERED_CONFIG_PATH, str(output))
              .replace("exec /docker-entrypoint.sh kong docker-start", "true"))
    key = SigningKey.generate()
    result = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=30,
                            env={"PATH": os.environ["PATH"], identity.SIGNING_PUBLIC_KEY_ENV: key.public_pem})
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(output.read_text("utf-8"))
    pem = config["consumers"][0]["jwt_secrets"][0]["rsa_public_key"]
    assert serialization.load_pem_public_key(pem.encode()).public_numbers() == \
        key.private_key.public_key().public_numbers()


def test_the_gateway_sees_the_clients_address_and_keeps_its_admin_api_to_itself(rendered: Rendered) -> None:
    settings = k8s.settings(_environment(rendered))
    pod, container = _kong(rendered)
    variables = {name: v.get("value") for name, v in _variables(container).items()}
    proxy = rendered.named("Service", "kong-proxy")["spec"]
    if settings.load_balancer:  # TLS at the gateway, the client's own address kept by the Service
        assert proxy["type"] == "LoadBalancer" and proxy["externalTrafficPolicy"] == "Local"
        assert "KONG_TRUSTED_IPS" not in variables, "no client may name its own address"
        assert variables["KONG_PROXY_LISTEN"].endswith(" http2 ssl")
        assert settings.tls is not None
        assert _mounted(pod, container, variables["KONG_SSL_CERT"])["secret"]["secretName"] == settings.tls.secret
    else:  # behind the ingress controller's pods, which forward the client's address
        assert proxy["type"] == "ClusterIP"
        trusted = [ipaddress.ip_network(n) for n in variables["KONG_TRUSTED_IPS"].split(",")]
        assert trusted and not any(n.is_global for n in trusted), "only pod networks, never the internet"
        assert (variables["KONG_REAL_IP_HEADER"], variables["KONG_REAL_IP_RECURSIVE"]) == ("X-Forwarded-For", "on")
    host, port = variables["KONG_ADMIN_LISTEN"].rsplit(":", 1)
    assert ipaddress.ip_address(host).is_loopback and int(port) not in {p["containerPort"] for p in container["ports"]}
    assert variables["KONG_STATUS_LISTEN"] == f"0.0.0.0:{infrastructure.KONG_STATUS_PORT}"
    assert rendered.named("Service", "kong-status")["spec"]["ports"][0]["port"] == infrastructure.KONG_STATUS_PORT
    if settings.monitoring:  # Prometheus scrapes the status listener
        labels = rendered.named("Service", "kong-status")["metadata"]["labels"].items()
        assert any(m["spec"]["selector"]["matchLabels"].items() <= labels for m in rendered.objects("ServiceMonitor"))


def test_users_reach_the_gateway_and_keycloak_as_the_environment_says(rendered: Rendered) -> None:
    system, environment = rendered.system, _environment(rendered)
    settings = k8s.settings(environment)
    assert settings.tls is not None
    hosts = {urlsplit(environment.public_url).hostname, urlsplit(environment.identity_url or "").hostname}
    ingresses = {i["metadata"]["name"]: i["spec"] for i in rendered.objects("Ingress")}
    grpc = [gw.grpc_prefix(system.service(s.service)) for s in gw.gateway(system, environment).services
            if s.protocol == "grpc"]
    keycloak = rendered.named("Keycloak", "keycloak")["spec"]
    if settings.ingress_class:
        edge = ingresses[f"{system.name}-edge"]
        assert edge["ingressClassName"] == settings.ingress_class
        assert {r["host"] for r in edge["rules"]} == hosts == set(edge["tls"][0]["hosts"])
        assert edge["tls"][0]["secretName"] == settings.tls.secret and "tlsSecret" not in keycloak["http"]
        if grpc:
            paths = ingresses[f"{system.name}-edge-grpc"]["rules"][0]["http"]["paths"]
            assert [p["path"] for p in paths] == grpc
            assert {p["backend"]["service"]["port"]["name"] for p in paths} == {"grpc"}
            ports = {p["name"]: p for p in rendered.named("Service", "kong-proxy")["spec"]["ports"]}
            assert ports["grpc"]["appProtocol"] == "kubernetes.io/h2c"
            _, container = _kong(rendered)
            listen = _variables(container)["KONG_PROXY_LISTEN"]["value"]
            assert f"0.0.0.0:{infrastructure.KONG_GRPC_PORT} http2" in listen
    else:
        assert not ingresses
        assert keycloak["http"]["tlsSecret"] == settings.tls.secret
        public = rendered.named("Service", "keycloak-public")["spec"]
        assert public["type"] == "LoadBalancer" and public["selector"] == names.KEYCLOAK_POD_LABELS
        assert grpc, "the synthetic system exposes gRPC: over TLS, on the proxy's listener (ALPN)"
    certificates = list(rendered.objects("Certificate"))
    assert [set(c["spec"]["dnsNames"]) for c in certificates] == ([hosts] if settings.tls.issuer else [])


def test_keycloak_runs_in_production_on_its_database_with_the_environments_hostname(rendered: Rendered) -> None:
    environment = _environment(rendered)
    spec = rendered.named("Keycloak", "keycloak")["spec"]
    assert spec["hostname"]["hostname"] == environment.identity_url and spec["hostname"]["strict"] is True
    assert spec["db"]["vendor"] == "postgres"
    assert spec["db"]["host"] == names.postgres_rw_service(names.KEYCLOAK_DATABASE)
    assert rendered.named("Cluster", names.KEYCLOAK_DATABASE)["spec"]["bootstrap"]["initdb"]["database"] == \
        spec["db"]["database"]
    assert spec["httpManagement"]["port"] == infrastructure.KEYCLOAK_MANAGEMENT_PORT
    options = {o["name"]: o["value"] for o in spec["additionalOptions"]}
    assert options["health-enabled"] == options["metrics-enabled"] == "true"
    if k8s.settings(environment).ingress_class:
        assert spec["proxy"]["headers"] == "xforwarded" and options["proxy-trusted-addresses"]
    else:
        assert "proxy" not in spec and "proxy-trusted-addresses" not in options


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)\}", text))


def test_the_realm_import_carries_the_keycloak_targets_realm_and_a_secret_for_every_placeholder(
        rendered: Rendered) -> None:
    system, environment = rendered.system, _environment(rendered)
    spec = rendered.named("KeycloakRealmImport", "realm")["spec"]
    assert spec["keycloakCRName"] == rendered.named("Keycloak", "keycloak")["metadata"]["name"]
    assert spec["realm"] == json.loads(json.dumps(realm(system, environment)))
    variables = _placeholders(json.dumps(spec["realm"]))
    assert identity.SIGNING_PRIVATE_KEY_ENV in variables
    assert {u.password_env for u in environment.dev_users} <= variables
    assert set(spec["placeholders"]) == variables
    provided = {(e["spec"]["target"]["name"], d["secretKey"]) for e in rendered.objects("ExternalSecret")
                for d in e["spec"]["data"]}
    for variable, source in spec["placeholders"].items():
        assert (source["secret"]["name"], source["secret"]["key"]) in provided, variable


def test_a_calling_service_reads_its_client_secret_from_the_secret_the_realm_import_reads(rendered: Rendered) -> None:
    system = rendered.system
    assert system.identity is not None
    placeholders = rendered.named("KeycloakRealmImport", "realm")["spec"]["placeholders"]
    callers = [c for c in system.identity.clients if c.secret_env]
    assert callers
    for client in callers:
        container = rendered.named("Deployment", client.service)["spec"]["template"]["spec"]["containers"][0]
        reference = _variables(container)["OIDC_CLIENT_SECRET"]["valueFrom"]["secretKeyRef"]
        assert reference == placeholders[client.secret_env]["secret"], client.service


def _pod(rendered: Rendered, deployment: str) -> Pod:
    return Pod(rendered.named("Deployment", deployment)["spec"]["template"]["metadata"]["labels"], NAMESPACE)


def test_the_gateway_reaches_exactly_what_its_configuration_proxies_to(rendered: Rendered) -> None:
    system, environment = rendered.system, _environment(rendered)
    policies = list(rendered.objects("NetworkPolicy"))
    upstreams = {(s["host"], s["port"]) for s in kong_config(system, environment)["services"]}
    kong = _pod(rendered, "kong")
    reached = set()
    for service in system.services:
        for port in k8s.ports(service):
            if allowed(policies, kong, _pod(rendered, service.name), port):
                reached.add((service.name, port))
    assert reached == upstreams


def test_every_service_reaches_keycloaks_token_endpoint_and_keys(rendered: Rendered) -> None:
    policies = list(rendered.objects("NetworkPolicy"))
    keycloak = Pod(dict(names.KEYCLOAK_POD_LABELS), NAMESPACE)
    granting = 0
    for service in rendered.system.services:
        config = rendered.named("ConfigMap", service.name)["data"]
        urls = [config[v] for v in ("OIDC_JWKS_URL", "OIDC_GRANT_URL") if v in config]
        granting += "OIDC_GRANT_URL" in config
        for url in urls:
            parts = urlsplit(url)
            assert parts.hostname == names.KEYCLOAK_SERVICE
            assert allowed(policies, _pod(rendered, service.name), keycloak, parts.port or 80), (service.name, url)
    assert granting == len([c for c in rendered.system.identity.clients if c.calls_services])


def test_logstash_trusts_the_ca_eck_mounts(rendered: Rendered) -> None:
    spec = rendered.named("Logstash", names.LOGSTASH)["spec"]
    pipeline = spec["pipelines"][0]["config.string"]
    assert f'ssl_certificate_authorities => ["{names.ELASTICSEARCH_CA_FILE}"]' in pipeline
    pod = spec["podTemplate"]["spec"]
    volume = _mounted(pod, pod["containers"][0], names.ELASTICSEARCH_CA_FILE)
    assert volume["secret"]["secretName"] == names.ELASTICSEARCH_CA_SECRET
