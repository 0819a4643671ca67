"""The fields' docstrings reach the JSON Schema without pydantic reading every model's source at import."""

from __future__ import annotations

from pydantic import BaseModel, Field

from rosec.schema import schema_dict
from rosec.spec.base import Spec
from rosec.spec.field_docs import field_docs, models_of
from rosec.spec.models import RoseSpec


class Base(BaseModel):
    kept: int = 0
    """Documented on the base.

    Over two lines."""
    replaced: int = 0
    """The base's words."""


class Derived(Base):
    replaced: int = 0
    """The derived class's words."""
    undocumented: int = 0
    explicit: int = Field(0, description="From Field.")
    """Ignored in the schema: Field's description comes first."""


def test_a_field_has_its_nearest_docstring() -> None:
    assert field_docs(Derived) == {"kept": "Documented on the base.\n\nOver two lines.",
                                   "replaced": "The derived class's words.",
                                   "explicit": "Ignored in the schema: Field's description comes first."}


def test_the_schema_describes_fields_from_their_docstrings_and_pydantic_does_not_read_them() -> None:
    assert not Spec.model_config.get("use_attribute_docstrings"), "pydantic would parse every model's source"
    assert RoseSpec.model_fields["rose"].description is None
    schema = schema_dict()
    assert schema["properties"]["rose"]["description"] == field_docs(RoseSpec)["rose"] == "Language version."
    models = models_of(RoseSpec)
    described = [(name, prop) for name, definition in schema["$defs"].items() if name in models
                 for prop_name, prop in definition.get("properties", {}).items()
                 if prop_name in field_docs(models[name])]
    assert len(described) > 50 and all("description" in prop for _, prop in described)
