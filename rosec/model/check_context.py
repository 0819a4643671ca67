"""The context every semantic check shares: the spec, its positions, and how findings are recorded."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import Any

from rosec.diagnostics import Diagnostic, did_you_mean, format_path
from rosec.spec.loader import LoadedSpec, PathKey
from rosec.spec.models import EnumSpec, RecordSpec, RoseSpec
from rosec.spec.types import SCALARS, TypeRef, TypeSyntaxError, parse_type

_TYPE_HINT = "types look like string, list[Order], map[string, int], optional[uuid]"


class CheckContext:
    """What the checks of the system, of each service, of the generated code and of protobuf share."""

    def __init__(self, spec: RoseSpec, loaded: LoadedSpec) -> None:
        self.spec = spec
        self.loaded = loaded
        self.errors: list[Diagnostic] = []

    def error(self, path: PathKey, message: str, hint: str = "", at_key: bool = False) -> None:
        self.errors.append(self.loaded.diagnostic(path, message, hint, at_key))

    def missing(self, path: PathKey, message: str, hint: str) -> None:
        """A required value that is absent: shown at the key of the mapping that lacks it."""
        line, col = self.loaded.positions.of_key(path[:-1])
        self.errors.append(Diagnostic(self.loaded.file, line, col, format_path(path), message, hint))

    @cached_property
    def records(self) -> dict[str, RecordSpec]:
        return {n: m for n, m in self.spec.messages.items() if isinstance(m, RecordSpec)}

    @cached_property
    def enums(self) -> dict[str, EnumSpec]:
        return {n: m for n, m in self.spec.messages.items() if isinstance(m, EnumSpec)}

    def type_ref(self, path: PathKey, text: str) -> TypeRef | None:
        try:
            ref = parse_type(text)
        except TypeSyntaxError as exc:
            self.error(path, f"invalid type '{text.strip()}': {exc}", exc.hint or _TYPE_HINT)
            return None
        for name in ref.references():
            if name not in self.spec.messages:
                self.error(path, f"unknown type '{name}'", did_you_mean(name, [*SCALARS, *self.spec.messages]))
        return ref

    def record_ref(self, path: PathKey, name: str | None) -> None:
        if name is None:
            return
        if name in self.enums:
            self.error(path, f"'{name}' is an enum; a message is needed here",
                       f"wrap it in a message, e.g. `fields: {{value: {name}}}`")
        elif name not in self.records:
            self.error(path, f"unknown message '{name}'", did_you_mean(name, self.records))

    def check_roles(self, path: PathKey, roles: Iterable[str]) -> None:
        roles = list(roles)
        self.duplicates(path, roles, "role")
        if roles and self.spec.identity is None:
            self.error(path, "roles need an identity provider", "declare `identity: {realm: ..., roles: [...]}`")
            return
        known = self.spec.identity.roles if self.spec.identity else []
        for i, role in enumerate(roles):
            if role not in known:
                self.error((*path, i), f"unknown role '{role}'",
                           did_you_mean(role, known) or "declare it in `identity.roles`")

    def duplicates(self, path: PathKey, items: Iterable[Any], what: str) -> None:
        seen: set[Any] = set()
        for i, item in enumerate(items):
            if item in seen:
                self.error((*path, i), f"duplicate {what} '{item}'", "list it once")
            seen.add(item)

    def unique_ignoring_case(self, path: PathKey, names: Iterable[str], what: str) -> None:
        seen: dict[str, str] = {}
        for name in names:
            key = name.lower().replace("_", "-")
            if key in seen:
                self.error((*path, name), f"{what} '{name}' clashes with '{seen[key]}' (names must differ "
                           "by more than case)", "rename one of them", at_key=True)
            seen.setdefault(key, name)
