"""Names derived from wire names, once, in the model (docs/language.md, "Wire names")."""

from __future__ import annotations

import pytest
from conftest import ROOT

from rosec.model import naming
from rosec.model.messages import build_enum, message_field
from rosec.model.services import param
from rosec.pipeline import load_system
from rosec.spec.models import EnumSpec
from rosec.spec.types import TypeRef

STRING = TypeRef("scalar", name="string")


@pytest.mark.parametrize(("wire", "python", "proto", "json_name"), [
    ("customer_id", "customer_id", "customer_id", "customer_id"),
    ("tripId", "trip_id", "trip_id", None),
    ("from", "from_", "from", None),
    ("class", "class_", "class", None),
    ("created-at", "created_at", "created_at", "created-at"),
    ("@type", "type", "type", "@type"),
    ("json", "json_", "json", None),
    ("mro", "mro_", "mro", None),
    ("model_config", "field_model_config", "model_config", "model_config"),
    ("1st", "field_1st", "field_1st", "1st"),
    ("HTTPStatus", "http_status", "http_status", "HTTPStatus"),
    ("userIDs", "user_ids", "user_ids", "userIDs"),
    ("unit__price", "unit_price", "unit_price", "unit__price"),
    ("line1", "line1", "line1", None),
    ("a b", "a_b", "a_b", "a b"),
])
def test_record_field_names(wire: str, python: str, proto: str, json_name: str | None) -> None:
    field = message_field(wire, STRING, optional=False)
    assert (field.wire_name, field.python_name, field.proto_name, field.proto_json_name) == (
        wire, python, proto, json_name)
    assert field.alias == (None if wire == python else wire)


def test_enum_members() -> None:
    enum = build_enum("TripStatus", EnumSpec(enum=["IN_PROGRESS", "on-hold", "class", "1st", "mro", "None"]))
    assert [(m.python_name, m.proto_name) for m in enum.members] == [
        ("in_progress", "TRIP_STATUS_IN_PROGRESS"), ("on_hold", "TRIP_STATUS_ON_HOLD"), ("class_", "TRIP_STATUS_CLASS"),
        ("value_1st", "TRIP_STATUS_1ST"), ("mro_", "TRIP_STATUS_MRO"), ("none", "TRIP_STATUS_NONE")]
    assert enum.values == ("IN_PROGRESS", "on-hold", "class", "1st", "mro", "None")
    assert enum.proto_zero == "TRIP_STATUS_UNSPECIFIED"


@pytest.mark.parametrize(("wire", "python"), [("tripId", "trip_id"), ("trip.id", "trip_id"), ("1", "param_1"),
                                              ("body", "body_"), ("ctx", "ctx_"), ("self", "self_"),
                                              ("from", "from_"), ("filter[status]", "filter_status")])
def test_parameter_names(wire: str, python: str) -> None:
    assert param(wire, "string").python_name == python


@pytest.mark.parametrize(("event", "publisher", "handler"), [
    ("order.created", "order_created", "on_order_created"),
    ("tripBooked", "trip_booked", "on_trip_booked"),
    ("com.example.Trip-Cancelled.v1", "com_example_trip_cancelled_v1", "on_com_example_trip_cancelled_v1"),
    ("import", "import_", "on_import"),
    ("startup", "startup", "on_startup_"),
])
def test_event_names(event: str, publisher: str, handler: str) -> None:
    assert (naming.event_python_name(event), naming.consumer_handler(event)) == (publisher, handler)


@pytest.mark.parametrize(("method", "path", "operation"), [
    ("GET", "/orders/{id}", "get_orders_by_id"),
    ("GET", "/tripDetails/{tripId}", "get_trip_details_by_trip_id"),
    ("POST", "/trips/{trip.id}/legs/{1}", "post_trips_by_trip_id_legs_by_1"),
    ("GET", "/order-items", "get_order_items"),
    ("DELETE", "/", "delete"),
])
def test_operation_ids(method: str, path: str, operation: str) -> None:
    assert naming.operation_id(method, path) == operation


@pytest.mark.parametrize(("rpc", "handler"), [("GetStock", "get_stock"), ("Class", "class_"), ("Deps", "deps_"),
                                              ("OnStartup", "on_startup_"), ("GetURL", "get_url"),
                                              ("Close", "close_"), ("Target", "target_")])
def test_grpc_handler_names(rpc: str, handler: str) -> None:
    assert naming.grpc_handler(rpc) == handler


def test_the_model_carries_wire_and_derived_names() -> None:
    system = load_system(ROOT / "tests" / "valid" / "wire-names.yaml")
    trip = system.messages_by_name["Trip"]
    assert [(f.wire_name, f.python_name) for f in trip.fields][:3] == [
        ("tripId", "trip_id"), ("from", "from_"), ("class", "class_")]
    endpoint = system.service("trips").endpoints[0]
    assert [(p.wire_name, p.python_name) for p in (*endpoint.params, *endpoint.query)] == [
        ("tripId", "trip_id"), ("from", "from_"), ("created-at", "created_at"), ("body", "body_"),
        ("filter[status]", "filter_status")]
    assert endpoint.operation_id == "get_trip_details_by_trip_id"
    assert [m.handler for m in system.service("trips").grpc_methods] == ["reserve", "class_", "deps_", "close_"]
    assert [c.handler for c in system.service("trips").consumers] == [
        "on_trip_booked", "on_com_example_trip_cancelled_v1", "on_startup_"]


def test_every_public_attribute_of_base_model_is_reserved() -> None:
    from pydantic import BaseModel

    from rosec.model.messages import PYDANTIC_PROTECTED_PREFIX, PYDANTIC_RESERVED

    public = {n for n in dir(BaseModel) if not n.startswith("_")}
    assert {n for n in public if not n.startswith(PYDANTIC_PROTECTED_PREFIX)} <= PYDANTIC_RESERVED


@pytest.mark.parametrize(("variable", "attribute"), [("SMTP_HOST", "smtp_host"), ("FROM", "from_"),
                                                     ("FIELD", "field_"), ("FROM_SETTINGS", "from_settings_")])
def test_config_and_secret_attributes(variable: str, attribute: str) -> None:
    from rosec.model.services import Service

    assert Service.settings_attribute(variable) == attribute
