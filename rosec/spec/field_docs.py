"""The attribute docstrings of the spec's models (the string under each field), for the JSON Schema.

pydantic can read them itself (`use_attribute_docstrings`), but it reads and parses each model's source while the
class is created: 0.06 to 0.1 s at the start of every command, for a text that only the published schema shows.
rosec.schema puts them where pydantic would: as the description of each property that has none of its own.
"""

from __future__ import annotations

import ast
import inspect
import sys
import typing
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel


def models_of(annotation: Any, found: dict[str, type[BaseModel]] | None = None) -> dict[str, type[BaseModel]]:
    """Every model class an annotation reaches (through fields, unions, containers), by class name."""
    found = {} if found is None else found
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation.__name__ in found:
            return found
        found[annotation.__name__] = annotation
        for field in annotation.model_fields.values():
            models_of(field.annotation, found)
    for argument in typing.get_args(annotation):
        models_of(argument, found)
    return found


def field_docs(model: type) -> dict[str, str]:
    """{field: docstring} of a class and its bases; a class's own docstring for a field wins over its bases'."""
    docs: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        docs |= _own_docs(cls)
    fields = getattr(model, "model_fields", None)
    return docs if fields is None else {name: doc for name, doc in docs.items() if name in fields}


def _own_docs(cls: type) -> dict[str, str]:
    module = sys.modules.get(cls.__module__)
    source = getattr(module, "__file__", None)
    if source is None or not source.endswith(".py"):
        return {}
    node = _classes(source).get(cls.__qualname__)
    if node is None:
        return {}
    docs = {}
    for statement, following in zip(node.body, node.body[1:], strict=False):
        if (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
                and isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)):
            docs[statement.target.id] = inspect.cleandoc(following.value.value)
    return docs


@cache
def _classes(source: str) -> dict[str, ast.ClassDef]:
    """The class definitions of a module's source by qualified name."""
    found: dict[str, ast.ClassDef] = {}
    pending: list[tuple[str, ast.AST]] = [("", ast.parse(Path(source).read_text("utf-8")))]
    while pending:
        prefix, parent = pending.pop()
        for child in ast.iter_child_nodes(parent):
            if isinstance(child, ast.ClassDef):
                found[prefix + child.name] = child
                pending.append((f"{prefix}{child.name}.", child))
    return found
