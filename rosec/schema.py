"""The published JSON Schema of rose.yaml, exported from the pydantic models."""

from __future__ import annotations

from typing import Any

from rosec.emit.serialize import to_json
from rosec.spec.field_docs import field_docs, models_of
from rosec.spec.models import RoseSpec

SCHEMA_ID = "https://rosec.dev/schema/rose.schema.json"


def schema_dict() -> dict[str, Any]:
    schema = RoseSpec.model_json_schema(mode="validation")
    _describe_fields(schema)
    _close_pattern_maps(schema)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": "rose.yaml", "description": "A RoSe system description, compiled by rosec.", **schema}


def _describe_fields(schema: dict[str, Any]) -> None:
    """Each property without a description of its own gets its field's docstring (rosec.spec.field_docs)."""
    models = models_of(RoseSpec)
    definitions = [(schema, RoseSpec), *((d, models.get(name)) for name, d in schema.get("$defs", {}).items())]
    for definition, model in definitions:
        if model is None:
            continue  # an enum
        docs = field_docs(model)
        for name, prop in definition.get("properties", {}).items():
            if "description" not in prop and name in docs:
                prop["description"] = docs[name]


def _close_pattern_maps(node: Any) -> None:
    """Maps whose keys follow a naming pattern reject every other key, as the models do."""
    if isinstance(node, dict):
        if "patternProperties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close_pattern_maps(value)
    elif isinstance(node, list):
        for value in node:
            _close_pattern_maps(value)


def schema_bytes() -> bytes:
    return to_json(schema_dict())
