"""End-to-end fixtures: the shop and the minimal example running as real processes, started through rosec.run (the
code path of `rosec run`, the local issuer included), against the local RabbitMQ (a vhost of their own) and
PostgreSQL (a database per postgres datastore); one running shop shared by every test of this package."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, postgres_databases, rabbitmq_vhost

from rosec.model.system import System

from .support import LiveSystem, Tokens, live_system

SHOP_SERVICES_DIR = ROOT / "generated" / "shop" / "services"


def _assert_stopped_cleanly(live: LiveSystem) -> None:
    failed = {name: code for name, code in live.exit_codes.items() if code != 0}
    details = "\n".join(f"--- {name} (exit {code}):\n{live.output.text(name)[-4000:]}" for name, code in failed.items())
    assert not failed, f"services did not stop cleanly after SIGTERM:\n{details}"


@pytest.fixture(scope="package")
def shop_live(shop: System, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSystem]:
    """The local issuer and every shop service on free ports; overrides: vhost, one database per postgres
    datastore (user postgres, trust auth), the receipts volume in a temporary directory, test secrets and the dev
    users' passwords."""
    stores = [d for d in shop.datastores if d.engine == "postgres"]
    with rabbitmq_vhost("rosec-e2e") as vhost, postgres_databases(len(stores), "rosec_e2e") as dsns:
        overrides = {
            "AMQP_URL": f"amqp://guest@127.0.0.1:5672/{vhost}",
            "AMQP_PASSWORD": "guest",
            "PAYMENT_PROVIDER_API_KEY": "e2e-provider-key",
            "SMTP_PASSWORD": "e2e-smtp-password",
        }
        environment = shop.compose_environment
        assert environment is not None
        overrides |= {u.password_env: f"e2e-{u.name}-password" for u in environment.dev_users}
        for store, dsn in zip(stores, dsns, strict=True):
            overrides |= {store.url_env: dsn, store.password_env: "unused-with-trust-auth"}
        for store in (d for d in shop.datastores if d.engine == "volume"):
            overrides[store.url_env] = str(tmp_path_factory.mktemp(store.name))
        with live_system(shop, ROOT, overrides) as live:
            yield live
    _assert_stopped_cleanly(live)


@pytest.fixture(scope="package")
def minimal_live(minimal: System) -> Iterator[LiveSystem]:
    with live_system(minimal, ROOT, {}) as live:
        yield live
    _assert_stopped_cleanly(live)


@pytest.fixture(scope="package")
def tokens(shop_live: LiveSystem) -> Tokens:
    return Tokens(shop_live)


@pytest.fixture(scope="package")
def shop_code() -> Iterator[Path]:
    """generated/shop/services importable (the generated gRPC clients and models); what it imported is removed
    afterwards so that other tests import their own copies."""
    path = str(SHOP_SERVICES_DIR)
    sys.path.insert(0, path)
    try:
        yield SHOP_SERVICES_DIR
    finally:
        sys.path.remove(path)
        for name, module in list(sys.modules.items()):
            if (getattr(module, "__file__", None) or "").startswith(path):
                del sys.modules[name]
