"""Local process mode: the model's local env of every service and how `rosec run` plans the processes (no
processes here; tests/e2e runs them)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import ROOT

from rosec import run_plan
from rosec.devissuer.local import generated_secrets
from rosec.model.deployments import local_service_env
from rosec.model.environments import EnvVar
from rosec.model.system import System

SHOP_SECRETS = {"AMQP_PASSWORD": "a", "ORDERS_DB_PASSWORD": "o", "CATALOG_DB_PASSWORD": "c",
                "PAYMENT_PROVIDER_API_KEY": "p", "SMTP_PASSWORD": "s"}


def values(env: tuple[EnvVar, ...]) -> dict[str, str | None]:
    return {v.name: v.value for v in env}


def test_local_env_has_the_compose_names_with_hosts_on_the_loopback(shop: System) -> None:
    compose = shop.compose_environment
    assert compose is not None
    for service in shop.services:
        local, container = local_service_env(shop, service.name), compose.deployments[service.name].env
        assert values(local)["BIND_HOST"] == "127.0.0.1", "a local process listens on the loopback only"
        assert "BIND_HOST" not in values(container), "in a container the service listens on every interface"
        local = tuple(v for v in local if v.name != "BIND_HOST")
        assert [v.name for v in local] == [v.name for v in container]
        assert [(v.secret, v.optional) for v in local] == [(v.secret, v.optional) for v in container]
    orders = values(local_service_env(shop, "orders"))
    assert orders["PORT"] == "8102"
    assert orders["ROSE_ENVIRONMENT"] == orders["SENTRY_ENVIRONMENT"] == "local"
    assert orders["AMQP_URL"] == "amqp://shop@127.0.0.1:5672/shop"
    assert orders["ORDERS_DB_URL"] == "postgresql://orders_db@127.0.0.1:5432/orders_db"
    assert orders["INVENTORY_URL"] == "http://127.0.0.1:8103"
    assert orders["INVENTORY_GRPC_TARGET"] == "127.0.0.1:9103"
    assert orders["PAYMENTS_GRPC_TARGET"] == "127.0.0.1:9104"
    assert orders["OIDC_ISSUER_URL"] == compose.oidc_issuer == "http://localhost:8080/realms/shop"
    assert orders["OIDC_JWKS_URL"] == "http://127.0.0.1:8080/realms/shop/protocol/openid-connect/certs"
    assert orders["OIDC_AUDIENCE"] == "shop-orders"
    assert orders["OIDC_GRANT_URL"] == "http://127.0.0.1:8080/realms/shop/protocol/openid-connect/token"
    assert orders["OIDC_CLIENT_ID"] == "shop-orders"
    assert values(local_service_env(shop, "inventory"))["OIDC_CALLERS"] == "shop-orders"
    assert values(local_service_env(shop, "inventory"))["OIDC_CALLERS_ONLY"] == "true"  # internal
    assert "OIDC_CLIENT_ID" not in values(local_service_env(shop, "catalog"))  # calls nobody
    assert values(local_service_env(shop, "notifications"))["RECEIPTS_PATH"] == ".rosec/data/shop/receipts"


def test_a_port_offset_moves_every_service_port_and_peer_address(shop: System) -> None:
    orders = values(local_service_env(shop, "orders", port_offset=1000))
    assert (orders["PORT"], orders["INVENTORY_URL"], orders["INVENTORY_GRPC_TARGET"]) == \
        ("9102", "http://127.0.0.1:9103", "127.0.0.1:10103")
    assert orders["AMQP_URL"] == "amqp://shop@127.0.0.1:5672/shop"  # infrastructure keeps its ports
    assert values(local_service_env(shop, "inventory", port_offset=1000))["GRPC_PORT"] == "10103"
    # the local issuer moves along: it listens where the run's services expect the realm
    assert orders["OIDC_ISSUER_URL"] == "http://localhost:9080/realms/shop"
    assert orders["OIDC_JWKS_URL"] == "http://127.0.0.1:9080/realms/shop/protocol/openid-connect/certs"


def test_called_services_start_before_their_callers(shop: System) -> None:
    order = [s.name for s in run_plan.start_order(shop)]
    assert sorted(order) == sorted(s.name for s in shop.services)
    for service in shop.services:
        for callee in service.calls:
            assert order.index(callee) < order.index(service.name)
    assert [s.name for s in run_plan.start_order(shop, ["orders", "inventory"])] == ["inventory", "orders"]
    with pytest.raises(run_plan.RunError, match="unknown service"):
        run_plan.start_order(shop, ["nope"])


def test_overrides_later_layers_win_and_secrets_may_use_their_secret_name() -> None:
    variables = (EnvVar("PORT", "8101"), EnvVar("AMQP_URL", "amqp://shop@127.0.0.1:5672/shop"),
                 EnvVar("AMQP_PASSWORD", secret="RABBITMQ_PASSWORD"), EnvVar("SENTRY_DSN", secret="SENTRY_DSN",
                                                                              optional=True),
                 EnvVar("API_KEY", secret="API_KEY"))
    resolved, missing = run_plan.resolve_env(variables, [{"RABBITMQ_PASSWORD": "from-file", "AMQP_URL": "amqp://x"},
                                                    {"AMQP_PASSWORD": "from-env", "PORT": "1"}])
    assert resolved == {"PORT": "8101", "AMQP_URL": "amqp://x", "AMQP_PASSWORD": "from-env"}
    assert [v.name for v in missing] == ["API_KEY"]
    _, missing = run_plan.resolve_env(variables, [{"API_KEY": "", "RABBITMQ_PASSWORD": "x"}])
    assert [v.name for v in missing] == ["API_KEY"]  # empty counts as unset, as with compose's ${VAR:?}


def test_env_file_lines(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("# comment\n\nA=1\nexport B = two words \nC='quoted # not a comment'\nD=\n", "utf-8")
    assert run_plan.read_env_file(path) == {"A": "1", "B": "two words", "C": "quoted # not a comment", "D": ""}
    path.write_text('K="-----BEGIN KEY-----\\nAB+/=\\n-----END KEY-----\\n"\nQ="say \\"hi\\" \\\\ \\$HOME"\n', "utf-8")
    assert run_plan.read_env_file(path) == {"K": "-----BEGIN KEY-----\nAB+/=\n-----END KEY-----\n",
                                       "Q": 'say "hi" \\ $HOME'}  # as Docker Compose reads them
    path.write_text("A=1\nnot a variable\n", "utf-8")
    with pytest.raises(run_plan.RunError, match=r"\.env:2: expected KEY=VALUE"):
        run_plan.read_env_file(path)
    with pytest.raises(run_plan.RunError, match="cannot read"):
        run_plan.read_env_file(tmp_path / "missing.env")


def test_plan_of_the_built_shop(shop: System) -> None:
    processes = run_plan.plan(shop, ROOT, layers=[generated_secrets(shop), SHOP_SECRETS], port_offset=7)
    assert [p.name for p in processes] == [s.name for s in run_plan.start_order(shop)]
    orders = next(p for p in processes if p.name == "orders")
    assert orders.command == (sys.executable, "-m", "orders.main")
    assert orders.cwd == ROOT
    assert orders.env["PYTHONPATH"].split(":") == [str(ROOT / "generated/shop/services"),
                                                  str(ROOT / "services/shop/orders")]
    assert orders.env["ORDERS_DB_PASSWORD"] == "o"
    assert len(orders.env["OIDC_CLIENT_SECRET"]) >= 32  # fresh for the run: only the local issuer knows it
    assert orders.env["OIDC_GRANT_URL"] == "http://127.0.0.1:8087/realms/shop/protocol/openid-connect/token"
    assert orders.ready_url == "http://127.0.0.1:8109/readyz"
    notifications = next(p for p in processes if p.name == "notifications")
    assert notifications.volumes == (ROOT / ".rosec/data/shop/receipts",)


def test_plan_lists_every_missing_secret_at_once(shop: System) -> None:
    with pytest.raises(run_plan.MissingSecretsError) as raised:
        run_plan.plan(shop, ROOT, layers=[{"RABBITMQ_PASSWORD": "x"}])
    assert set(raised.value.variables) == set(SHOP_SECRETS) - {"AMQP_PASSWORD"} | {"OIDC_CLIENT_SECRET"}
    assert "PAYMENT_PROVIDER_API_KEY: needed by payments" in str(raised.value)
    assert "OIDC_CLIENT_SECRET (or ORDERS_CLIENT_SECRET): needed by orders" in str(raised.value)


def test_plan_needs_the_built_system(shop: System, tmp_path: Path) -> None:
    with pytest.raises(run_plan.RunError, match="run `rosec build"):
        run_plan.plan(shop, tmp_path, layers=[SHOP_SECRETS])
