"""Unit tests of the pieces behind the invalid-spec corpus: paths, locations, hints, type syntax."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import errors_of as errors_with_full_paths

from rosec.diagnostics import did_you_mean, format_path
from rosec.spec.locations import allowed_fields, data_loc
from rosec.spec.types import TypeSyntaxError, parse_type

VALID = (Path(__file__).resolve().parent / "valid" / "demo.yaml").read_text("utf-8")


def errors_of(tmp_path: Path, text: str) -> list[str]:
    """Rendered diagnostics with the file shown as rose.yaml."""
    return [e.replace(f"{tmp_path}/", "", 1) for e in errors_with_full_paths(tmp_path, text)]


@pytest.mark.parametrize(("parts", "shown"), [
    (("services", "orders", "rest", 1, "response"), "services.orders.rest[1].response"),
    (("events", "order.created", "message"), "events.order.created.message"),
    (("services", ".."), 'services.".."'),
    (("services", "a/b"), 'services."a/b"'),
    ((), ""),
])
def test_format_path(parts: tuple[str | int, ...], shown: str) -> None:
    assert format_path(parts) == shown


def test_did_you_mean() -> None:
    assert did_you_mean("Ordr", ["Order", "Payment"]) == "did you mean 'Order'?"
    assert did_you_mean("get", ["GET", "POST"]) == "did you mean 'GET'?"
    assert did_you_mean("zzz", ["a", "b"]) == "expected one of 'a', 'b'"
    assert did_you_mean("zzz", ["a", "b"], close_only=True) == ""


@pytest.mark.parametrize(("loc", "path", "label"), [
    (("messages", "Order", "record", "fields", "id"), ("messages", "Order", "fields", "id"), ""),
    (("messages", "Status", "enum", "enum", 2), ("messages", "Status", "enum", 2), ""),
    (("messages", "Order", "record", "record"), ("messages", "Order", "record"), ""),
    (("services", "a", "config", "KEY", "int"), ("services", "a", "config", "KEY"), "int"),
    (("services", "a", "port"), ("services", "a", "port"), ""),
])
def test_data_loc_drops_union_labels(loc: tuple[str | int, ...], path: tuple[str | int, ...], label: str) -> None:
    found = data_loc(loc)
    assert (found.path, found.union_label) == (path, label)


def test_allowed_fields_follow_the_message_kind() -> None:
    assert set(allowed_fields(("messages", "Status", "enum"))) == {"enum", "description"}
    assert "fields" in allowed_fields(("messages", "Order", "record"))
    assert "gateway" in allowed_fields(("services", "orders"))


@pytest.mark.parametrize(("text", "problem"), [
    ("list[", "'list[...]' needs a type inside the brackets"),
    ("list[Order", "missing ']' after the arguments of 'list'"),
    ("map[uuid, Order]", "map keys must be string or int, got 'uuid'"),
    ("optional[list[int]]", "optional[list[...]] is not allowed"),
    ("list[optional[int]]", "list items cannot be optional (protobuf has no null items)"),
    ("string[int]", "'string' takes no type arguments"),
    ("list[int]]", "unexpected ']' after list[int]"),
    ("a$", "unexpected character '$'"),
])
def test_type_syntax_errors(text: str, problem: str) -> None:
    with pytest.raises(TypeSyntaxError) as raised:
        parse_type(text)
    assert str(raised.value) == problem
    assert raised.value.hint or problem.startswith("unexpected")


def test_a_misspelled_required_field_is_reported_once(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, VALID.replace("  domain: demo.example.com", "  domian: demo.example.com"))
    assert errors == ["rose.yaml:5:3: error: system.domian: unknown field 'domian'\n    hint: did you mean 'domain'?"]


def test_an_empty_value_is_located_at_its_key(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, VALID.replace("    hosting: compose", "    hosting:"))
    assert errors[0].startswith("rose.yaml:8:5: error: environments.dev.hosting: expected")


def test_a_null_document_is_empty(tmp_path: Path) -> None:
    assert errors_of(tmp_path, "---\n~\n")[0].startswith("rose.yaml:2:1: error: the spec is empty")


def test_a_flow_collection_open_at_the_end_is_located_at_its_bracket(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, VALID + "    calls: [orders,\n")
    assert errors == ["rose.yaml:46:12: error: invalid YAML: this '[' is never closed\n    hint: add the closing ']'"]


def test_deeply_nested_documents_do_not_overflow(tmp_path: Path) -> None:
    errors = errors_of(tmp_path, "rose: " + "[" * 3000 + "]" * 3000 + "\n")
    assert errors[0].startswith("rose.yaml:1:1: error: the document is nested too deeply")
