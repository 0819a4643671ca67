"""openapi.json of every REST service: valid OpenAPI 3.1 (the official schema), valid JSON Schema components,
resolvable references, and the operations, parameters, errors and security the spec describes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import example_specs, shared_schema
from jsonschema import Draft202012Validator

from rosec.model.services import Service
from rosec.model.system import System
from rosec.pipeline import load_system
from rosec.targets.services import render
from rosec.targets.services.signatures import rest_handler


def rest_services() -> list[tuple[System, Service]]:
    found = []
    for spec in example_specs():
        system = load_system(spec)
        found += [(system, s) for s in system.services if s.endpoints]
    return found


CASES = rest_services()
IDS = [f"{system.name}-{service.name}" for system, service in CASES]


def document(system: System, service: Service) -> dict[str, Any]:
    rendered = render(system)
    doc: dict[str, Any] = json.loads(rendered[f"{system.layout.services_dir}/{service.python_name}/openapi.json"])
    return doc


@pytest.fixture(scope="module")
def openapi_validator() -> Draft202012Validator:
    schema = shared_schema("openapi-3.1.schema.json")
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_every_example_has_a_rest_service() -> None:
    assert {system.name for system, _ in CASES} == {"shop", "minimal"}


@pytest.mark.parametrize(("system", "service"), CASES, ids=IDS)
def test_document_is_valid_openapi_3_1(system: System, service: Service,
                                       openapi_validator: Draft202012Validator) -> None:
    doc = document(system, service)
    errors = sorted(openapi_validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)
    assert doc["openapi"] == "3.1.0"


@pytest.mark.parametrize(("system", "service"), CASES, ids=IDS)
def test_component_schemas_are_valid_json_schema(system: System, service: Service) -> None:
    for schema in document(system, service)["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref"] + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


@pytest.mark.parametrize(("system", "service"), CASES, ids=IDS)
def test_every_reference_resolves(system: System, service: Service) -> None:
    doc = document(system, service)
    for ref in _refs(doc):
        assert ref.startswith("#/"), ref
        node: Any = doc
        for part in ref[2:].split("/"):
            assert part in node, f"{ref} does not resolve"
            node = node[part]


@pytest.mark.parametrize(("system", "service"), CASES, ids=IDS)
def test_operations_follow_the_spec(system: System, service: Service) -> None:
    doc = document(system, service)
    for endpoint in service.endpoints:
        operation = doc["paths"][endpoint.path][endpoint.method.lower()]
        assert operation["operationId"] == endpoint.operation_id == rest_handler(endpoint).name
        assert operation["tags"] == [service.name]
        responses = operation["responses"]
        success = responses[str(endpoint.status)]
        if endpoint.response:
            assert success["content"]["application/json"]["schema"] == {
                "$ref": f"#/components/schemas/{endpoint.response}"}
        else:
            assert "content" not in success
        errors = {"400", "404", "422", "500", "503"} | (set() if endpoint.public else {"401", "403"})
        if endpoint.method != "GET":
            errors.add("409")
        assert set(responses) == {str(endpoint.status)} | errors
        for status in errors:
            ref = responses[status]["$ref"]
            problem = doc["components"]["responses"][ref.rsplit("/", 1)[1]]
            assert problem["content"]["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
        assert operation["security"] == ([] if endpoint.public else [{"bearerAuth": []}])
        names = [(p["in"], p["name"]) for p in operation.get("parameters", [])]
        assert names == ([("path", p.wire_name) for p in endpoint.params]
                         + [("query", q.wire_name) for q in endpoint.query])
        if endpoint.request:
            assert operation["requestBody"]["content"]["application/json"]["schema"] == {
                "$ref": f"#/components/schemas/{endpoint.request}"}


def test_shop_details(shop: System) -> None:
    orders = document(shop, shop.service("orders"))
    assert orders["info"]["title"] == "shop orders"
    assert orders["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": "An access token of the identity provider (realm shop)."}
    by_id = orders["paths"]["/orders/{id}"]["get"]["parameters"]
    assert by_id == [{"name": "id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}]
    listing = orders["paths"]["/orders"]["get"]["parameters"]
    assert listing == [{"name": "status", "in": "query", "required": False,
                        "schema": {"$ref": "#/components/schemas/OrderStatus"}}]
    assert orders["components"]["schemas"]["OrderStatus"]["enum"] == ["pending", "reserved", "paid", "shipped",
                                                                      "cancelled"]
    assert "Payment" not in orders["components"]["schemas"], "only what the REST API reaches"
    assert [s["url"] for s in orders["servers"]] == ["http://localhost:8000/api/orders",
                                                     "https://staging.shop.example.com/api/orders",
                                                     "https://shop.example.com/api/orders", "http://orders:8102"]
    catalog = document(shop, shop.service("catalog"))
    assert catalog["paths"]["/products"]["get"]["security"] == []
    assert catalog["paths"]["/products/{sku}"]["put"]["requestBody"]["required"] is True


def test_minimal_needs_no_security_scheme(minimal: System) -> None:
    hello = document(minimal, minimal.service("hello"))
    assert "securitySchemes" not in hello["components"]
    assert hello["paths"]["/hello/{name}"]["get"]["security"] == []

