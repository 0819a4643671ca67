"""schemathesis (Python API) against every running REST service of every example, driven by the committed
openapi.json: no server errors, responses that match the documented schemas, content types and status codes.

Requests carry a valid token with every role, and a hook steers bodies past the first business checks, so the
generated cases reach the handlers (and, for POST /orders, inventory over gRPC, PostgreSQL and the broker) instead
of stopping at 401, 403 or 422."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import schemathesis
from conftest import GENERATED, example_specs
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .support import LiveSystem, Tokens

LIVE_FIXTURES = {"shop": "shop_live", "minimal": "minimal_live"}  # example -> fixture running it
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, status_code_conformance]
# Statuses a handler answers that rose.yaml cannot declare (the documented set is fixed), by operation.
SUBJECT = str(uuid.uuid4())  # the caller of every request; POST /orders bodies are for this customer
MAX_EXAMPLES = 25
ORDER_CURRENCY = "EUR"  # shop orders' ORDER_CURRENCY


def test_every_example_is_run_by_a_fixture() -> None:
    assert {spec.parent.name for spec in example_specs()} == set(LIVE_FIXTURES)


def conformance_test(system: str, document: Path) -> Callable[..., None]:
    schema = schemathesis.openapi.from_path(document)

    @schema.hook
    def map_case(context: schemathesis.HookContext, case: schemathesis.Case) -> schemathesis.Case:
        """Steer generated bodies past the handlers' first business checks, to reach the code behind them."""
        body, label = case.body, case.operation.label
        if label == "POST /orders" and isinstance(body, dict):
            body["customer_id"] = SUBJECT  # customers order for themselves
            lines = body.get("lines")
            for line in lines if isinstance(lines, list) else ():  # valid lines, then inventory is asked over gRPC
                if isinstance(line, dict) and isinstance(line.get("quantity"), int):
                    line["quantity"] = abs(line["quantity"]) or 1
                price = line.get("unit_price") if isinstance(line, dict) else None
                if isinstance(price, dict):
                    price["currency"] = ORDER_CURRENCY
                    if isinstance(price.get("amount"), str):
                        price["amount"] = price["amount"].lstrip("-")
        if label == "PUT /products/{sku}" and isinstance(body, dict) and case.path_parameters:
            body["sku"] = case.path_parameters.get("sku")  # the body names the product of the path
        return case

    @schema.parametrize()
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def test(case: schemathesis.Case, request: pytest.FixtureRequest, tokens: Tokens) -> None:
        live: LiveSystem = request.getfixturevalue(LIVE_FIXTURES[system])
        service = next(s for s in live.system.services if s.python_name == document.parent.name)
        headers = tokens.header("admin", "customer", "support", subject=SUBJECT)
        case.call_and_validate(base_url=live.url(service.name), headers=headers, checks=CHECKS, timeout=10)

    return test


for _document in sorted(GENERATED.glob("*/services/*/openapi.json")):
    _system, _package = _document.parts[-4], _document.parts[-2]
    globals()[f"test_{_system}_{_package}_conforms_to_its_openapi"] = conformance_test(_system, _document)
