"""The generated orders API over HTTP (in a subprocess, through FastAPI's test client): strict JSON bodies parsed
into typed models, query and path parameters, roles, and RFC 9457 errors. The full shop end to end is separate."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from service_support import build, python_env

from rosec.model.system import System

HANDLERS = '''
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from orders.handlers import OrdersHandlers
from orders.models import Money, NewOrder, Order, OrderList, OrderStatus, Payment
from rose_runtime.context import MessageContext, RequestContext
from rose_runtime.errors import Problem

class Handlers(OrdersHandlers):
    async def post_orders(self, body: NewOrder, ctx: RequestContext) -> Order:
        assert isinstance(body.customer_id, UUID)
        assert all(isinstance(line.unit_price.amount, Decimal) for line in body.lines)
        assert ctx.principal is not None and "customer" in ctx.principal.roles
        total = sum((line.unit_price.amount * line.quantity for line in body.lines), Decimal(0))
        return Order(id=uuid4(), customer_id=body.customer_id, lines=body.lines,
                     total=Money(amount=total, currency="EUR"), status=OrderStatus.pending,
                     created_at=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC))

    async def get_orders_by_id(self, id: UUID, ctx: RequestContext) -> Order:
        assert isinstance(id, UUID)
        raise Problem(404, "Not Found", f"no order {id}")

    async def get_orders(self, status: OrderStatus | None, ctx: RequestContext) -> OrderList:
        assert status is None or isinstance(status, OrderStatus)
        return OrderList(items=[])

    async def on_payment_settled(self, message: Payment, ctx: MessageContext) -> None:
        pass
'''

SCRIPT = '''
import json
from fastapi.testclient import TestClient
from handlers import Handlers
from orders.api import create_app
from rose_runtime.auth import Principal
from rose_runtime.runtime import Runtime
from rose_runtime.settings import Settings


class Verifier:
    """Tokens are comma-separated role lists (the real JWT verification has its own runtime tests)."""

    async def verify(self, token):
        return Principal(subject="tester", roles=frozenset(token.split(",")), token=token)


runtime = Runtime(Settings(system="shop", service="orders", environment="test", port=1), verifier=Verifier())
client = TestClient(create_app(Handlers(None), runtime), raise_server_exceptions=False)
results = {}

def record(name, response):
    results[name] = {"status": response.status_code, "type": response.headers.get("content-type"),
                     "body": response.json() if response.content else None}

order = {"customer_id": "7f1c3c3e-1a7a-4c1b-9a53-0d3c1c3e1a7a", "note": None,
         "lines": [{"sku": "A-1", "quantity": 2, "unit_price": {"amount": "9.95", "currency": "EUR"}}]}
customer = {"Authorization": "Bearer customer"}
admin = {"Authorization": "Bearer admin"}
record("created", client.post("/orders", json=order, headers=customer))
record("no_token", client.post("/orders", json=order))
record("wrong_role", client.post("/orders", json=order, headers={"Authorization": "Bearer support"}))
bad = json.loads(json.dumps(order))
bad["lines"][0]["quantity"] = "2"
record("invalid_body", client.post("/orders", json=bad, headers=customer))
record("extra_field", client.post("/orders", json={**order, "surprise": 1}, headers=customer))
record("malformed", client.post("/orders", content=b"{not json", headers=customer))
record("list", client.get("/orders", params={"status": "paid"}, headers=admin))
record("list_all", client.get("/orders", headers=admin))
record("bad_enum", client.get("/orders", params={"status": "lost"}, headers=admin))
record("bad_uuid", client.get("/orders/not-a-uuid", headers=admin))
record("not_found", client.get("/orders/00000000-0000-0000-0000-000000000000", headers=admin))
print(json.dumps(results))
'''


@pytest.fixture(scope="module")
def results(shop: System, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    project = tmp_path_factory.mktemp("orders-api")
    services = build(shop, project)
    handlers = project / "handlers"
    handlers.mkdir()
    (handlers / "handlers.py").write_text(textwrap.dedent(HANDLERS), "utf-8")
    script = project / "probe.py"
    script.write_text(SCRIPT, "utf-8")
    done = subprocess.run([sys.executable, str(script)], env=python_env(services, handlers), capture_output=True,
                          text=True, timeout=120, cwd=Path(project))
    assert done.returncode == 0, done.stderr
    parsed: dict[str, dict[str, object]] = json.loads(done.stdout.strip().splitlines()[-1])
    return parsed


def test_json_body_is_parsed_strictly_into_typed_models(results: dict[str, dict[str, object]]) -> None:
    created = results["created"]
    assert created["status"] == 201
    body = created["body"]
    assert isinstance(body, dict)
    assert body["total"] == {"amount": "19.90", "currency": "EUR"}
    assert body["created_at"] == "2024-01-02T03:04:05Z"
    assert body["lines"][0]["unit_price"]["amount"] == "9.95"


def test_authentication_and_roles(results: dict[str, dict[str, object]]) -> None:
    assert results["no_token"]["status"] == 401
    assert results["wrong_role"]["status"] == 403
    for case in ("no_token", "wrong_role"):
        assert results[case]["type"] == "application/problem+json"


def test_invalid_requests_are_problem_json(results: dict[str, dict[str, object]]) -> None:
    for case, status in (("invalid_body", 422), ("extra_field", 422), ("malformed", 400), ("bad_enum", 422),
                         ("bad_uuid", 422), ("not_found", 404)):
        assert results[case]["status"] == status, case
        assert results[case]["type"] == "application/problem+json", case
        body = results[case]["body"]
        assert isinstance(body, dict) and body["status"] == status, case
    invalid = results["invalid_body"]["body"]
    assert isinstance(invalid, dict)
    assert [e["loc"] for e in invalid["errors"]] == [["body", "lines", 0, "quantity"]]
    not_found = results["not_found"]["body"]
    assert isinstance(not_found, dict)
    assert not_found["detail"] == "no order 00000000-0000-0000-0000-000000000000"


def test_query_parameters(results: dict[str, dict[str, object]]) -> None:
    assert results["list"] == {"status": 200, "type": "application/json", "body": {"items": []}}
    assert results["list_all"]["status"] == 200
