"""load -> validate -> resolve -> render: the whole compiler as plain functions."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rosec.diagnostics import Diagnostic, SpecError
from rosec.emit.files import FileTree
from rosec.model.resolve import resolve
from rosec.model.system import System
from rosec.spec.loader import load_file
from rosec.spec.validate import validate
from rosec.targets import available_targets


def load_system(spec_path: Path) -> System:
    loaded = load_file(spec_path)
    return resolve(validate(loaded), loaded)


def diagnose(spec_path: Path) -> list[Diagnostic]:
    try:
        load_system(spec_path)
    except SpecError as exc:
        return list(exc.diagnostics)
    return []


def render(system: System, targets: Iterable[str] | None = None) -> FileTree:
    registry = available_targets()
    chosen = list(targets) if targets is not None else list(registry)
    tree = FileTree()
    for name in chosen:
        for path, content in sorted(registry[name](system).items()):
            tree.add(name, path, content)
    return tree


def default_output(system: System) -> Path:
    return Path("generated") / system.name
