"""The Kong target: kong.yaml per environment against Kong's declarative JSON schema (Draft 4) and decK 1.4, the
routes against a Kong router emulation (every route serves exactly one declared endpoint, every exposed endpoint
has exactly one route, nothing undeclared passes), the plugins, and the start command that writes the realm's
public key in."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import ROOT, shared_schema, system_from_text
from cryptography.hazmat.primitives import serialization
from kong_router import AmbiguousRoute, route, routes_of
from ruamel.yaml import YAML

from rosec.devissuer.keys import SigningKey
from rosec.emit.serialize import to_yaml
from rosec.model import gateway as edge
from rosec.model import identity, infrastructure
from rosec.model.environments import Environment
from rosec.model.services import Endpoint, Service
from rosec.model.system import System
from rosec.targets import kong
from rosec.targets.kong import kong_config

DECK_HINT = "decK is missing: apt-get install -y deck (decK 1.4; scripts/setup.sh installs it)"

SYNTHETIC = """
rose: 1
system: { name: synth, domain: synth.example.com }
environments:
  local: { hosting: compose, cors_origins: ["http://localhost:5173"] }
  cluster:
    hosting: kubernetes
    kubernetes: { registry: registry.synth.example.com/team, ingress: { class_name: nginx }, tls: { issuer: le } }
    gateway: { replicas: 4 }
  cloud:
    hosting: aws
    region: eu-central-1
    gateway: { replicas: 3, redis: { host: limits.synth.internal, port: 6380, password: LIMITS_REDIS_PASSWORD } }
identity: { realm: synth, roles: [reader, writer] }
messages:
  Item: { fields: { id: string } }
  ItemQuery: { fields: { id: string } }
services:
  items:
    rest:
      - { method: GET, path: /items/special, response: Item, public: true }
      - { method: GET, path: "/items/{id}", response: Item, roles: [reader] }
      - { method: GET, path: /items, response: Item, public: true, rate_limit: 5/second }
      - { method: POST, path: /items, request: Item, response: Item, roles: [writer], rate_limit: 10/minute }
      - { method: DELETE, path: "/items/{id}/v1.0", roles: [writer] }
      - { method: GET, path: /, response: Item, public: true }
    grpc:
      - { name: Lookup, request: ItemQuery, response: Item, roles: [reader] }
      - { name: Touch, request: ItemQuery, response: Item, public: true, rate_limit: 2/second }
    calls: [ledger]
    gateway: { path: /api/items, rate_limit: 1000/hour, grpc: true, max_body_kb: 64 }
  shelves:
    rest:
      - { method: GET, path: /shelves/latest, response: Item, public: true }
      - { method: GET, path: "/shelves/{id}", response: Item, public: true }
    gateway: { path: /api/shelves, auth: public }
  ledger:
    internal: true
    rest:
      - { method: POST, path: /entries, request: Item, response: Item }
"""


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> System:
    return system_from_text(tmp_path_factory.mktemp("synth"), SYNTHETIC)


@pytest.fixture(params=["shop", "minimal", "synthetic"])
def system(request: pytest.FixtureRequest) -> System:
    return request.getfixturevalue(request.param)


def configs(system: System) -> list[tuple[Environment, dict[str, Any]]]:
    return [(env, kong_config(system, env)) for env in system.environments]


def sample(endpoint: Endpoint) -> str:
    """A request path for the endpoint: every parameter a value that is no literal segment of any path."""
    return re.sub(r"\{[a-z0-9_]+\}", "p-42", endpoint.path)


def exposed(system: System) -> list[Service]:
    return [s for s in system.services if s.gateway]


# --- validators ---------------------------------------------------------------------------------------------

def test_kong_yaml_validates_against_kongs_declarative_schema(system: System) -> None:
    validator = jsonschema.Draft4Validator(shared_schema("kong-declarative.schema.json"))
    for env, config in configs(system):
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(config)]
        assert not errors, f"{env.name}:\n" + "\n".join(errors)


def test_deck_validates_every_environments_file(system: System, tmp_path: Path) -> None:
    """decK 1.4 (Debian) checks the file offline: schema, duplicate entities, broken references. It requires a
    `secret` on a jwt credential that Kong 3 generates itself for RS256 (and never reads): the configuration
    carries edge.UNUSED_JWT_SECRET so that both decK and the schema accept it."""
    deck = shutil.which("deck")
    if deck is None:
        pytest.fail(DECK_HINT)
    for path, content in kong.render(system).items():
        file = tmp_path / path.replace("/", "_")
        file.write_bytes(content)
        result = subprocess.run([deck, "validate", "-s", str(file)], capture_output=True, text=True, timeout=60,
                                env={**os.environ, "HOME": str(tmp_path)})
        assert result.returncode == 0, f"{path}: {result.stdout}{result.stderr}"


def test_deck_catches_what_rosec_must_never_write(shop: System, tmp_path: Path) -> None:
    """The check above can fail: a duplicate route name and an unknown field are refused."""
    deck = shutil.which("deck")
    if deck is None:
        pytest.fail(DECK_HINT)
    env = shop.environments[0]
    config = kong_config(shop, env)
    config["services"][1]["routes"][0]["name"] = config["services"][0]["routes"][0]["name"]
    broken = tmp_path / "kong.yaml"
    broken.write_bytes(to_yaml(config))
    result = subprocess.run([deck, "validate", "-s", str(broken)], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "HOME": str(tmp_path)})
    assert result.returncode != 0 and "already exists" in result.stdout + result.stderr


def test_the_target_writes_one_file_per_environment_with_the_header(system: System) -> None:
    files = kong.render(system)
    assert set(files) == {system.layout.kong_config(env.name) for env in system.environments}
    for env, config in configs(system):
        content = files[system.layout.kong_config(env.name)]
        assert content == to_yaml(config, system.header())
        assert YAML(typ="safe").load(io.StringIO(content.decode("utf-8"))) == config
    assert kong.render(system) == files


# --- routes ---------------------------------------------------------------------------------------------------

def test_every_exposed_endpoint_has_exactly_one_route_and_reaches_its_path(system: System) -> None:
    for env, config in configs(system):
        for service in exposed(system):
            assert service.gateway is not None
            for endpoint in service.endpoints:
                for protocol in ("http", "https"):
                    found = route(config, protocol, endpoint.method, service.gateway.path + sample(endpoint))
                    assert found is not None, f"{env.name}: no route for {endpoint.method} {endpoint.path}"
                    assert found.route["name"] == f"{system.name}-{service.name}.{endpoint.operation_id}" \
                        .replace("_", "-"), endpoint
                    assert found.service["host"] == service.host and found.service["port"] == service.port
                    assert found.upstream_path == sample(endpoint)


def test_every_route_serves_exactly_one_declared_endpoint(system: System) -> None:
    for _, config in configs(system):
        served: dict[str, list[str]] = {}
        for service in exposed(system):
            assert service.gateway is not None
            requests = [("http", e.method, service.gateway.path + sample(e), f"{e.method} {e.path}")
                        for e in service.endpoints]
            requests += [("grpc", None, f"/{service.proto_package}.{service.proto_service}/{m.name}", m.name)
                         for m in service.grpc_methods if service.gateway.grpc]
            for protocol, method, path, operation in requests:
                found = route(config, protocol, method, path)
                assert found is not None, operation
                served.setdefault(found.route["name"], []).append(operation)
        names = {r["name"] for r, _ in routes_of(config) if not r["name"].endswith(".preflight")}
        assert set(served) == names, "routes that serve nothing, or endpoints without a route"
        assert all(len(operations) == 1 for operations in served.values()), served


def test_what_is_not_declared_is_refused_at_the_edge(synthetic: System) -> None:
    config = kong_config(synthetic, synthetic.environments[0])
    refused = [
        ("http", "PUT", "/api/items/items/p-1"),  # a method the path does not declare
        ("http", "GET", "/api/items/items/p-1/more"),  # one segment too many
        ("http", "GET", "/api/items/items/"),  # an empty parameter
        ("http", "GET", "/api/items"),  # the bare prefix (the root endpoint is /api/items/)
        ("http", "GET", "/api/itemsx/items"),  # another prefix that starts alike
        ("http", "GET", "/items/p-1"),  # the service's own path, without the gateway's prefix
        ("http", "DELETE", "/api/items/items/p-1/v1x0"),  # '.' is a literal dot, not any character
        ("grpc", None, "/items.v1.ItemsService/Unknown"),
        ("grpc", None, "/items.v1.ItemsService/LookupAll"),
        ("http", "POST", "/items.v1.ItemsService/Lookup"),  # gRPC routes take gRPC only
        ("http", "POST", "/api/ledger/entries"),  # ledger is internal: not at the edge at all
    ]
    for protocol, method, path in refused:
        assert route(config, protocol, method, path) is None, (protocol, method, path)
    assert route(config, "http", "GET", "/api/items/") is not None


def test_of_two_matching_routes_the_first_declared_wins_as_in_the_service(synthetic: System) -> None:
    config = kong_config(synthetic, synthetic.environments[0])
    literal = route(config, "http", "GET", "/api/items/items/special")
    assert literal is not None and literal.route["name"] == "synth-items.get-items-special"  # declared first
    other = route(config, "http", "GET", "/api/items/items/7")
    assert other is not None and other.route["name"] == "synth-items.get-items-by-id"
    shelves = route(config, "http", "GET", "/api/shelves/shelves/latest")
    assert shelves is not None and shelves.route["name"] == "synth-shelves.get-shelves-latest"
    assert route(config, "http", "GET", "/api/shelves/shelves/7").route["name"] == "synth-shelves.get-shelves-by-id"


def test_the_router_emulation_refuses_ambiguous_routes(synthetic: System) -> None:
    config = kong_config(synthetic, synthetic.environments[0])
    for r, _ in routes_of(config):
        r["regex_priority"] = 0
    with pytest.raises(AmbiguousRoute):
        route(config, "http", "GET", "/api/items/items/special")


def test_preflight_requests_of_declared_paths_only_reach_the_preflight_route(system: System) -> None:
    for _, config in configs(system):
        for service in exposed(system):
            assert service.gateway is not None
            for endpoint in service.endpoints:
                found = route(config, "http", "OPTIONS", service.gateway.path + sample(endpoint))
                assert found is not None and found.route["name"].endswith(".preflight")
                assert not found.route.get("plugins"), "a preflight carries no token"
            assert route(config, "http", "OPTIONS", service.gateway.path + "/undeclared") is None


# --- plugins --------------------------------------------------------------------------------------------------

def plugins(entity: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in entity.get("plugins", [])}


def test_tokens_are_verified_on_exactly_the_routes_that_need_them(system: System) -> None:
    for env, config in configs(system):
        for service in exposed(system):
            assert service.gateway is not None
            operations = {f"{e.method} {e.path}": not e.public for e in service.endpoints}
            operations |= {m.name: not m.public for m in service.grpc_methods}
            for kong_service in edge.gateway(system, env).services:
                for r in kong_service.routes:
                    if kong_service.service != service.name:
                        continue
                    needs = r.operation is not None and operations[r.operation] and service.gateway.auth == \
                        "authenticated"
                    entry = next(x for x, _ in routes_of(config) if x["name"] == r.name)
                    assert ("jwt" in plugins(entry)) == needs, r.name
                    if needs:
                        jwt = plugins(entry)["jwt"]["config"]
                        assert jwt["key_claim_name"] == "iss" and jwt["claims_to_verify"] == ["exp"]
                        assert jwt["run_on_preflight"] is False and jwt["uri_param_names"] == []
                        assert jwt["maximum_expiration"] == identity.ACCESS_TOKEN_LIFESPAN_S + edge.CLOCK_SKEW_S


def test_the_jwt_credential_is_keyed_by_the_environments_issuer_without_key_material(system: System) -> None:
    for env, config in configs(system):
        text = to_yaml(config).decode("utf-8")
        assert "BEGIN" not in text and "PRIVATE" not in text
        if not any("jwt" in plugins(r) for r, _ in routes_of(config)):
            assert "consumers" not in config
            continue
        (consumer,) = config["consumers"]
        (secret,) = consumer["jwt_secrets"]
        assert secret["key"] == env.oidc_issuer and secret["algorithm"] == "RS256"
        assert secret["rsa_public_key"] == edge.PUBLIC_KEY_PLACEHOLDER
        assert secret["secret"] == edge.UNUSED_JWT_SECRET


def test_rate_limits_per_service_and_per_endpoint_with_the_environments_policy(synthetic: System) -> None:
    by_env = {env.name: config for env, config in configs(synthetic)}
    # local: one node counts alone; the kubernetes environment has 4 nodes, each allows its share (rounded up)
    for name, divisor in (("local", 1), ("cluster", 4)):
        config = by_env[name]
        items = next(s for s in config["services"] if s["name"] == "synth-items")
        service_limit = plugins(items)["rate-limiting"]["config"]
        assert service_limit["hour"] == -(-1000 // divisor) and service_limit["policy"] == "local"
        assert service_limit["limit_by"] == "ip" and "redis" not in service_limit
        listing = next(r for r, _ in routes_of(config) if r["name"] == "synth-items.get-items")
        assert plugins(listing)["rate-limiting"]["config"]["second"] == -(-5 // divisor)
        touch = next(r for r, _ in routes_of(config) if r["name"] == "synth-items.grpc.touch")
        assert plugins(touch)["rate-limiting"]["config"]["second"] == -(-2 // divisor)
    cloud = next(s for s in by_env["cloud"]["services"] if s["name"] == "synth-items")
    shared = plugins(cloud)["rate-limiting"]["config"]
    assert shared["hour"] == 1000 and shared["policy"] == "redis"
    assert shared["redis"] == {"host": "limits.synth.internal", "port": 6380, "ssl": True, "ssl_verify": True,
                               "timeout": 2000, "database": 0, "server_name": "limits.synth.internal",
                               "password": "{vault://env/limits-redis-password}"}


def test_global_and_service_plugins(system: System) -> None:
    from rosec.resources.runtime.rose_runtime import auth as runtime_auth
    from rosec.resources.runtime.rose_runtime import logs as runtime_logs

    assert edge.CORRELATION_HEADER == runtime_logs.REQUEST_ID_HEADER
    assert edge.ON_BEHALF_OF_HEADER == runtime_auth.ON_BEHALF_OF_HEADER
    for env, config in configs(system):
        found = plugins(config)
        assert found["correlation-id"]["config"] == {"header_name": "X-Request-ID", "generator": "uuid",
                                                     "echo_downstream": True}
        metrics = found["prometheus"]["config"]
        assert all(metrics[f] for f in ("status_code_metrics", "latency_metrics", "upstream_health_metrics",
                                        "bandwidth_metrics"))
        if env.cors_origins:
            cors = found["cors"]["config"]
            assert cors["origins"] == list(env.cors_origins) and cors["credentials"] is False
            assert {"Authorization", "X-Request-ID", "traceparent"} <= set(cors["headers"])
        else:
            assert "cors" not in found  # no origins: no cross-origin calls (Kong would allow every origin)
        for service in config["services"]:
            transform = plugins(service)["request-transformer"]["config"]
            assert transform["remove"]["headers"] == [edge.ON_BEHALF_OF_HEADER]
            if service["protocol"] == "http":
                assert transform["replace"]["uri"] == edge.UPSTREAM_PATH
                assert plugins(service)["request-size-limiting"]["config"]["size_unit"] == "kilobytes"


def test_every_entity_is_tagged_for_deck_select_tag(system: System) -> None:
    def entities(node: Any) -> list[dict[str, Any]]:
        found = []
        if isinstance(node, dict):
            if "name" in node or "username" in node or "key" in node:
                found.append(node)
            for key, value in node.items():
                if key != "config":
                    found += entities(value)
        elif isinstance(node, list):
            for item in node:
                found += entities(item)
        return found

    for _, config in configs(system):
        tagged = entities(config)
        assert len(tagged) > 5
        assert all(entity.get("tags") == ["rosec", system.name] for entity in tagged), tagged


def test_the_start_command_writes_the_public_key_into_the_configuration(shop: System, tmp_path: Path) -> None:
    """The gateway container's start (sh + awk, as in the kong image) with the key as `rosec env init` writes it
    (real line breaks) and as a one-line value (escaped ones), with the awks found here."""
    template = tmp_path / "kong.yaml"
    template.write_bytes(kong.render(shop)[shop.layout.kong_config("dev")])
    key = SigningKey.generate()
    awks = [a for a in ("mawk", "gawk", "busybox") if shutil.which(a)]
    assert awks, "no awk to run the start command with"
    for awk in awks:
        for value in (key.public_pem, key.public_pem.replace("\n", "\\n")):
            rendered = tmp_path / "rendered.yaml"
            script = edge.start_script(str(template), str(rendered), start="true")
            script = script.replace("awk '", f"{awk} awk '" if awk == "busybox" else f"{awk} '", 1)
            result = subprocess.run(["sh", "-c", script], env={"PATH": os.environ["PATH"],
                                                                identity.SIGNING_PUBLIC_KEY_ENV: value},
                                    capture_output=True, text=True, timeout=30)
            assert result.returncode == 0, result.stderr
            config = YAML(typ="safe").load(rendered.read_text("utf-8"))
            pem = config["consumers"][0]["jwt_secrets"][0]["rsa_public_key"]
            loaded = serialization.load_pem_public_key(pem.encode("ascii"))
            assert loaded.public_numbers() == key.private_key.public_key().public_numbers()
            original = YAML(typ="safe").load(template.read_text("utf-8"))
            original["consumers"][0]["jwt_secrets"][0]["rsa_public_key"] = pem
            assert config == original, "only the key changed"
    result = subprocess.run(["sh", "-c", edge.start_script(str(template), str(tmp_path / "x"), start="true")],
                            env={"PATH": os.environ["PATH"]}, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0 and "OIDC_SIGNING_PUBLIC_KEY is not set" in result.stderr


def test_the_gateway_exposes_grpc_on_its_http2_listener_only_when_asked(shop: System, synthetic: System) -> None:
    assert edge.gateway(synthetic, synthetic.environments[0]).grpc
    shop_services = {s.name for s in edge.gateway(shop, shop.environments[0]).services}
    assert "shop-payments.grpc" in shop_services and "shop-inventory.grpc" not in shop_services
    assert infrastructure.KONG_GRPC_PORT in infrastructure.RESERVED_PORTS
    assert (ROOT / "generated" / "shop" / shop.layout.kong_config("dev")).is_file()
