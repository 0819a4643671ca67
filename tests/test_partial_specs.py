"""All errors at once: the semantic checks run over what passed the schema, without repeating its errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from rosec.pipeline import diagnose
from rosec.spec.prune import Pruned

DEMO = (Path(__file__).resolve().parent / "valid" / "demo.yaml").read_text("utf-8")
GET_ORDER = '      - { method: GET, path: "/orders/{id}", response: Order, roles: [customer] }\n'


def rendered(tmp_path: Path, text: str) -> list[str]:
    """Each diagnostic as 'LINE:COL severity path: message'."""
    spec = tmp_path / "rose.yaml"
    spec.write_text(text, "utf-8")
    return [f"{d.line}:{d.column} {d.severity} {d.path}: {d.message}" for d in diagnose(spec)]


def edited(*edits: tuple[str, str]) -> str:
    text = DEMO
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def test_pruned_maps_list_indexes_back_to_the_file() -> None:
    data = {"services": {"a": {"rest": [{"m": 0}, {"m": 1}, {"m": 2}, {"m": 3}], "port": "x"}}, "rose": 1}
    pruned = Pruned({("services", "a", "rest", 0), ("services", "a", "rest", 2), ("services", "a", "port")})
    assert pruned.apply(data) == {"services": {"a": {"rest": [{"m": 1}, {"m": 3}]}}, "rose": 1}
    assert pruned.original(("services", "a", "rest", 1, "roles", 0)) == ("services", "a", "rest", 3, "roles", 0)
    assert pruned.original(("services", "a", "grpc", 1)) == ("services", "a", "grpc", 1)
    assert data["services"]["a"]["port"] == "x", "the loaded data is not changed"
    assert pruned.touched(("services", "a")) and pruned.touched(("services", "a", "rest"))
    assert not pruned.touched(("services", "b")) and not pruned.touched(("services", "a", "grpc"))
    assert pruned.lost_entry(("services", "a", "rest")) and not pruned.lost_entry(("services",))


def test_a_semantic_error_after_an_invalid_list_item_is_located_in_the_file(tmp_path: Path) -> None:
    text = edited((GET_ORDER, '      - { method: FETCH, path: "/orders/{id}", response: Order, roles: [customer] }\n'
                              '      - { method: GET, path: /orders, request: Order, response: Order, '
                              'roles: [customer] }\n'))
    assert rendered(tmp_path, text) == [
        "36:19 error services.orders.rest[0].method: invalid value 'FETCH': expected 'GET', 'POST', 'PUT', "
        "'PATCH' or 'DELETE'",
        "37:48 error services.orders.rest[1].request: GET requests carry no body",
    ]


@pytest.mark.parametrize(("edits", "expected"), [
    # the service's key is invalid: calls to it are not "unknown service", and no "calls a service without API"
    ([("  stock:\n", "  Stock:\n")], ["42:3 error services.Stock: invalid name 'Stock'"]),
    # the message's definition is invalid: the references to it are not "unknown message"
    ([("  Order:\n    fields:\n", "  Order:\n    description: 5\n    fields:\n")],
     ["23:18 error messages.Order.description: expected a string, got 5"]),
    # the identity section is invalid: its roles are not "unknown", endpoints are not "without identity provider"
    ([("  realm: demo\n", "  realm: Demo\n")], ["13:10 error identity.realm: invalid value 'Demo'"]),
    # the region is invalid: the aws environment does not "need a region" on top
    ([("    region: eu-west-1\n", "    region: europe\n")],
     ["11:13 error environments.prod.region: invalid value 'europe'"]),
    # the callee's only method is invalid: the caller does not "call a service without REST or gRPC"
    ([("      - { name: Reserve,", "      - { name: reserve,")],
     ["44:17 error services.stock.grpc[0].name: invalid value 'reserve'"]),
    # the system section stands in for itself: the checks of the rest still run
    ([("  name: demo\n", "  name: Demo\n"), ("    uses: [orders-db]\n", "    uses: [order-db]\n")],
     ["4:9 error system.name: invalid value 'Demo'",
      "39:12 error services.orders.uses[0]: unknown datastore 'order-db'"]),
])
def test_errors_that_only_repeat_a_schema_error_are_not_reported(edits: list[tuple[str, str]],
                                                                  expected: list[str], tmp_path: Path) -> None:
    assert rendered(tmp_path, edited(*edits)) == expected


def test_every_required_section_may_be_invalid_at_once(tmp_path: Path) -> None:
    text = "rose: 2\nsystem: 5\nenvironments: []\nservices: {}\nevents: {order.created: {message: Order}}\n"
    assert rendered(tmp_path, text) == [
        "1:7 error rose: unsupported language version 2",
        "2:9 error system: expected a mapping, got 5",
        "3:15 error environments: expected a mapping, got a list",
        "4:11 error services: must not be empty",
        "5:35 error events.order.created.message: unknown message 'Order'",
    ]


def test_usage_warnings_wait_for_the_errors_of_their_kind(tmp_path: Path) -> None:
    unknown_consumer = edited(("    consumes: [order.created]\n", "    consumes: [order.creatd]\n"),
                              ("  orders-db:\n    engine: postgres\n",
                               "  orders-db:\n    engine: postgres\n  receipts:\n    engine: volume\n"))
    found = rendered(tmp_path, unknown_consumer)
    assert "47:16 error services.stock.consumes[0]: unknown event 'order.creatd'" in found
    assert [f for f in found if "warning" in f] == [
        "33:3 warning datastores.receipts: datastore 'receipts' is not used by any service"], \
        "no guess about order.created, which the unknown name may mean; the datastores are known"
