"""The context every semantic check shares: the spec, its positions, and how findings are recorded."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import cached_property
from typing import Any

from rosec.diagnostics import WARNING, Diagnostic, did_you_mean, format_path
from rosec.spec.loader import LoadedSpec, PathKey
from rosec.spec.models import EnumSpec, RecordSpec, RoseSpec
from rosec.spec.prune import Pruned
from rosec.spec.types import SCALARS, TypeRef, TypeSyntaxError, parse_type

_TYPE_HINT = "types look like string, list[Order], map[string, int], optional[uuid]"


class CheckContext:
    """What the checks of the system, of each service, of the generated code and of protobuf share.

    The spec may be partial (rosec.spec.prune): parts that failed validation were left out, and `pruned` says
    which. A check that misses a name or a value asks `left_out` first, so that it does not report again what
    the schema already reported. Paths are those of the partial spec; `error` and `warn` locate them in the file.
    """

    def __init__(self, spec: RoseSpec, loaded: LoadedSpec, pruned: Pruned | None = None) -> None:
        self.spec = spec
        self.loaded = loaded
        self.pruned = pruned or Pruned()
        self.errors: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []
        self.unresolved: set[str] = set()
        """Kinds of reference ('message', 'event', 'role', ...) with an unknown name or a left-out part: the
        warnings about unused declarations of these kinds would be guesses, and wait until the errors are fixed."""

    def error(self, path: PathKey, message: str, hint: str = "", at_key: bool = False) -> None:
        self.errors.append(self.loaded.diagnostic(self.pruned.original(path), message, hint, at_key))

    def warn(self, path: PathKey, message: str, hint: str = "", at_key: bool = False) -> None:
        found = self.loaded.diagnostic(self.pruned.original(path), message, hint, at_key)
        self.warnings.append(replace(found, severity=WARNING))

    def missing(self, path: PathKey, message: str, hint: str) -> None:
        """A required value that is absent: shown at the key of the mapping that lacks it."""
        path = self.pruned.original(path)
        line, col = self.loaded.positions.of_key(path[:-1])
        self.errors.append(Diagnostic(self.loaded.file, line, col, format_path(path), message, hint))

    def left_out(self, *path: str | int) -> bool:
        """True when the spec's value at path (or around it) failed validation and is missing from the partial
        spec: e.g. left_out('services', 'stock') for a service whose definition was invalid."""
        return self.pruned.touched(self.pruned.original(path))

    def unknown(self, kind: str, *declarations: str) -> bool:
        """Whether a reference to a name that the collection at `declarations` (e.g. 'events') does not declare
        is to be reported as unknown; records the kind as unresolved. Not while a declaration of the collection
        failed validation: the name may be that one's (its key may be the invalid part), whose error is reported."""
        self.unresolved.add(kind)
        return not self.pruned.lost_entry(declarations)

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
            self.unresolved.add("message")
            self.error(path, f"invalid type '{text.strip()}': {exc}", exc.hint or _TYPE_HINT)
            return None
        for name in ref.references():
            if name not in self.spec.messages and self.unknown("message", "messages"):
                self.error(path, f"unknown type '{name}'", did_you_mean(name, [*SCALARS, *self.spec.messages]))
        return ref

    def record_ref(self, path: PathKey, name: str | None) -> None:
        if name is None:
            return
        if name in self.enums:
            self.error(path, f"'{name}' is an enum; a message is needed here",
                       f"wrap it in a message, e.g. `fields: {{value: {name}}}`")
        elif name not in self.records and self.unknown("message", "messages"):
            self.error(path, f"unknown message '{name}'", did_you_mean(name, self.records))

    def check_roles(self, path: PathKey, roles: Iterable[str]) -> None:
        roles = list(roles)
        self.duplicates(path, roles, "role")
        if roles and self.spec.identity is None:
            if not self.left_out("identity"):
                self.error(path, "roles need an identity provider", "declare `identity: {realm: ..., roles: [...]}`")
            return
        known = self.spec.identity.roles if self.spec.identity else []
        for i, role in enumerate(roles):
            if role not in known and self.unknown("role", "identity", "roles"):
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
