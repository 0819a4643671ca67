"""Map a pydantic error location onto a path in the data by walking the language models.

A pydantic loc contains the keys and indexes of the data, and also a label for every
union it went through: the tag of a discriminated union (messages: 'record', 'enum')
or the branch of a plain union (config values: 'str', 'int', ...). Only the models
know which parts are labels, so the walk follows the annotations alongside the loc.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Tag

from rosec.spec.loader import PathKey
from rosec.spec.models import EnvironmentSpec, RoseSpec, ServiceSpec

_UNIONS = (typing.Union, types.UnionType)


@dataclass(frozen=True)
class DataLoc:
    path: PathKey
    union_label: str = ""
    """Set when the error comes from one branch of a plain (untagged) union."""
    annotation: Any = None
    """The annotation of the value at path (None when unknown)."""
    containers: tuple[Any, ...] = ()
    """For each part of path, the annotation of the value that holds it: a model, dict[...] or list[...]."""


@dataclass(frozen=True)
class _Branch:
    annotation: Any
    tagged: bool


def data_loc(loc: tuple[Any, ...]) -> DataLoc:
    path: list[str | int] = []
    containers: list[Any] = []
    label = ""
    annotation: Any = RoseSpec
    for part in loc:
        annotation, branches = _open(annotation)
        branch = branches.get(part) if branches and isinstance(part, str) else None
        if branch is not None:
            annotation, _ = _open(branch.annotation)
            label = label if branch.tagged else part
            continue
        path.append(part)
        containers.append(annotation)
        annotation = _child(annotation, part)
    return DataLoc(tuple(path), label, _open(annotation)[0], tuple(containers))


# Models whose fields stand on their own: one invalid field leaves the others worth checking. Any other
# model is one unit: an invalid field of an endpoint or a message makes the whole endpoint or message invalid.
_FIELD_CONTAINERS = (RoseSpec, ServiceSpec, EnvironmentSpec)


def drop_point(loc: DataLoc, missing: bool) -> PathKey:
    """The smallest part of the data to leave out so that an error at loc goes away: a list item, a map entry,
    an unknown key, or an optional field of a service, an environment or the top level. A required top-level
    section is left out too (the caller stands in for it). missing: the error is a required field that is absent,
    which makes the object holding it invalid."""
    cut = len(loc.path) - 1 if missing else len(loc.path)
    for end in range(cut, 0, -1):
        if _droppable(loc.containers[end - 1], loc.path[end - 1]):
            return loc.path[:end]
    return loc.path[:1] if missing and len(loc.path) == 1 else ()


def _droppable(container: Any, part: str | int) -> bool:
    model = _as_model(container)
    if model is None:
        return typing.get_origin(container) in (dict, list)
    field = model.model_fields.get(part) if isinstance(part, str) else None
    if field is None:
        return True  # an unknown key
    return model in _FIELD_CONTAINERS and (model is RoseSpec or not field.is_required())


def allowed_fields(loc: tuple[Any, ...]) -> list[str]:
    """Field names of the model that sits at loc, for did-you-mean hints."""
    model = _as_model(data_loc(loc).annotation)
    return list(model.model_fields) if model else []


def _open(annotation: Any) -> tuple[Any, dict[str, _Branch] | None]:
    """Strip Annotated and Optional; a real union comes back with its branches by loc label."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in _UNIONS:
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) == 1:
                annotation = members[0]
                continue
            return annotation, dict(_branch(m) for m in members)
        return annotation, None


def _branch(member: Any) -> tuple[str, _Branch]:
    if typing.get_origin(member) is typing.Annotated:
        tag = next((m for m in member.__metadata__ if isinstance(m, Tag)), None)
        if tag is not None:
            return tag.tag, _Branch(member, tagged=True)
    return getattr(member, "__name__", repr(member)), _Branch(member, tagged=False)


def _child(annotation: Any, part: Any) -> Any:
    model = _as_model(annotation)
    if model is not None:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        return field.annotation if field else None
    origin = typing.get_origin(annotation)
    if origin is dict:
        return typing.get_args(annotation)[1]
    if origin is list:
        return typing.get_args(annotation)[0]
    return None


def _as_model(annotation: Any) -> type[BaseModel] | None:
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
