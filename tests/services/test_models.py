"""Generated pydantic models: JSON round trips for every kind of field, strictness, and agreement with the JSON
Schema that the OpenAPI and AsyncAPI documents publish."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from types import ModuleType
from typing import Any
from uuid import UUID

import pytest
from conftest import system_from_text
from jsonschema import Draft202012Validator
from service_support import build

from rosec.model.system import System
from rosec.targets.services.json_schema import component_schemas

SPEC = """
rose: 1
system: { name: kinds, domain: kinds.example.com }
environments:
  dev: { hosting: compose }
messages:
  Color:
    enum: [red, green, blue]
    description: A "primary" color \\ of light
  Inner:
    fields: { label: string }
  Everything:
    description: Every kind of field the type language has
    fields:
      text: string
      count: int
      ratio: float
      flag: bool
      id: uuid
      price: decimal
      at: datetime
      day: date
      blob: bytes
      color: Color
      inner: Inner
      later: Later
      maybe: optional[string]
      maybe_day: optional[date]
      maybe_inner: optional[Inner]
      tags: list[string]
      colors: list[Color]
      by_name: map[string, Inner]
      by_number: map[int, decimal]
      date: optional[date]
      list: list[int]
  Later:
    fields: { value: int }
services:
  allkinds:
    rest:
      - { method: POST, path: /everything, request: Everything, response: Everything, public: true }
"""

DOCUMENT: dict[str, Any] = {
    "text": "héllo \"quoted\"",
    "count": -42,
    "ratio": 1.5,
    "flag": True,
    "id": "7f1c3c3e-1a7a-4c1b-9a53-0d3c1c3e1a7a",
    "price": "12.50",
    "at": "2024-05-06T07:08:09Z",
    "day": "2024-02-29",
    "blob": "AAEC/w==",
    "color": "green",
    "inner": {"label": "in"},
    "later": {"value": 7},
    "maybe": "here",
    "maybe_day": None,
    "maybe_inner": {"label": "maybe"},
    "tags": ["a", "b"],
    "colors": ["red", "blue"],
    "by_name": {"x": {"label": "X"}},
    "by_number": {"1": "0.1", "-2": "3"},
    "date": "2023-12-31",
    "list": [1, 2, 3],
}


@pytest.fixture(scope="module")
def kinds(tmp_path_factory: pytest.TempPathFactory) -> System:
    return system_from_text(tmp_path_factory.mktemp("spec"), SPEC)


@pytest.fixture(scope="module")
def models(kinds: System, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """allkinds.models, imported from a fresh build; removed from sys.modules afterwards."""
    services = build(kinds, tmp_path_factory.mktemp("build"), ["services"])
    sys.path.insert(0, str(services))
    try:
        yield importlib.import_module("allkinds.models")
    finally:
        sys.path.remove(str(services))
        for name in [m for m in sys.modules if m == "allkinds" or m.startswith("allkinds.")]:
            del sys.modules[name]


def test_json_round_trip_keeps_every_value(models: ModuleType) -> None:
    parsed = models.Everything.model_validate_json(json.dumps(DOCUMENT))
    assert json.loads(parsed.model_dump_json()) == DOCUMENT
    assert models.Everything.model_validate_json(parsed.model_dump_json()) == parsed


def test_json_values_become_python_types(models: ModuleType) -> None:
    e = models.Everything.model_validate_json(json.dumps(DOCUMENT))
    assert e.id == UUID(DOCUMENT["id"])
    assert e.price == Decimal("12.50") and isinstance(e.price, Decimal)
    assert e.at == datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert e.day == date(2024, 2, 29)
    assert e.date == date(2023, 12, 31)
    assert e.blob == b"\x00\x01\x02\xff"
    assert e.color is models.Color.green
    assert isinstance(e.inner, models.Inner) and isinstance(e.later, models.Later)
    assert e.by_number == {1: Decimal("0.1"), -2: Decimal("3")}
    assert e.list == [1, 2, 3]


def test_bytes_are_standard_base64_out_and_either_alphabet_in(models: ModuleType) -> None:
    url_safe = models.Everything.model_validate_json(json.dumps({**DOCUMENT, "blob": "AAEC_w=="}))
    assert url_safe.blob == b"\x00\x01\x02\xff"
    assert json.loads(url_safe.model_dump_json())["blob"] == "AAEC/w=="
    assert url_safe.model_dump(mode="json")["blob"] == "AAEC/w=="
    assert url_safe.model_dump()["blob"] == b"\x00\x01\x02\xff"


def test_integral_numbers_are_integers_in_json_only(models: ModuleType) -> None:
    from pydantic import ValidationError
    assert models.Everything.model_validate_json(json.dumps({**DOCUMENT, "count": 3.0, "list": [1.0]})).count == 3
    with pytest.raises(ValidationError):
        models.Later(value=3.0)


def test_decimals_are_written_in_fixed_point(models: ModuleType) -> None:
    e = models.Everything.model_validate_json(json.dumps(DOCUMENT))
    big = e.model_copy(update={"price": Decimal("-5.6047E+30"), "by_number": {1: Decimal("1E-7")}})
    dumped = json.loads(big.model_dump_json())
    assert dumped["price"] == "-5604700000000000000000000000000"
    assert dumped["by_number"] == {"1": "0.0000001"}


def test_optional_fields_default_to_none(models: ModuleType) -> None:
    document = {k: v for k, v in DOCUMENT.items() if k not in ("maybe", "maybe_day", "maybe_inner", "date")}
    e = models.Everything.model_validate_json(json.dumps(document))
    assert (e.maybe, e.maybe_day, e.maybe_inner, e.date) == (None, None, None, None)
    assert json.loads(e.model_dump_json())["maybe"] is None


def test_python_construction_and_enum_shape(models: ModuleType) -> None:
    assert issubclass(models.Color, str) and issubclass(models.Color, Enum)
    assert [c.value for c in models.Color] == ["red", "green", "blue"]
    inner = models.Inner(label="x")
    assert models.Inner.model_validate_json(inner.model_dump_json()) == inner


@pytest.mark.parametrize(("field", "value"), [
    ("count", "3"),  # no string-to-int coercion
    ("count", 1.5),
    ("count", 2**63),  # int is int64
    ("list", [-(2**63) - 1]),
    ("flag", "true"),
    ("at", "2024-05-06T07:08:09"),  # a datetime needs a time zone
    ("id", "not-a-uuid"),
    ("color", "purple"),
    ("day", "2024-02-30"),
    ("text", 5),
    ("by_number", {"one": "1"}),
    ("blob", "not base64!"),
    ("price", 12.5),  # decimals are JSON strings
    ("price", "1E+3"),  # in fixed-point notation, as the schema's pattern says
    ("price", " 1.5"),
    ("price", "NaN"),
])
def test_strict_json_rejects_wrong_values(models: ModuleType, field: str, value: Any) -> None:
    from pydantic import ValidationError
    with pytest.raises(ValidationError) as error:
        models.Everything.model_validate_json(json.dumps({**DOCUMENT, field: value}))
    assert error.value.errors()[0]["loc"][0] == field


def test_unknown_and_missing_fields_are_rejected(models: ModuleType) -> None:
    from pydantic import ValidationError
    with pytest.raises(ValidationError, match="extra"):
        models.Everything.model_validate_json(json.dumps({**DOCUMENT, "surprise": 1}))
    with pytest.raises(ValidationError, match="count"):
        models.Everything.model_validate_json(json.dumps({k: v for k, v in DOCUMENT.items() if k != "count"}))


def test_docstrings_come_from_descriptions(models: ModuleType) -> None:
    assert models.Everything.__doc__ == "Every kind of field the type language has"
    assert models.Color.__doc__ == 'A "primary" color \\ of light'
    assert models.Inner.__doc__ == "The Inner message."


def test_model_json_matches_the_published_json_schema(kinds: System, models: ModuleType) -> None:
    """What the models produce is valid against the schemas in openapi.json / asyncapi.yaml, and vice versa."""
    names = kinds.service("allkinds").messages
    schema = {"$ref": "#/$defs/Everything", "$defs": component_schemas(kinds, names, "#/$defs/")}
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    produced = json.loads(models.Everything.model_validate_json(json.dumps(DOCUMENT)).model_dump_json())
    assert list(validator.iter_errors(produced)) == []
    assert list(validator.iter_errors({**DOCUMENT, "count": "3"})), "the schema is as strict as the model"
