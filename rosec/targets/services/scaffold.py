"""User code of the generation gap: scaffold `<handlers_dir>/<service>/handlers.py` once, then only report.

`scaffold` writes a handlers module only where none exists (never overwrites); `missing_handlers` reads the
existing ones with `ast` (nothing is imported or executed) and names every handler of the contract that the
`Handlers` class lacks, so a spec change that adds an endpoint is reported at build time, not only at startup.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from rosec.emit.disk import create_file
from rosec.model.services import Service
from rosec.model.system import System
from rosec.targets.services import modules
from rosec.targets.services.signatures import handlers
from rosec.targets.services.templating import render

HANDLERS_CLASS = "Handlers"


def handlers_path(system: System, service: Service) -> PurePosixPath:
    """The user's handlers module of a service, relative to the project root."""
    return PurePosixPath(modules.handlers_file(system, service))


def scaffold_module(system: System, service: Service) -> bytes:
    handler_list = handlers(service)
    imports = modules.handler_imports(service, handler_list)
    imports.add(f"{service.python_name}.handlers", modules.base_class(service))
    if handler_list:
        imports.add("rose_runtime.errors", "Problem")
    fields = [f.name for f in modules.deps_fields(system, service)]
    layout = system.layout
    generated = layout.from_project_root(system.name, f"{layout.services_dir}/{service.python_name}/handlers.py")
    return render("user_handlers.py.jinja", service=service, base=modules.base_class(service),
                  deps_class=modules.deps_class(service), handlers=handler_list,
                  imports=imports.render(),  # the handlers module is in no package
                  generated_handlers=generated,
                  deps_summary=", ".join(fields) if fields else "nothing yet")


@dataclass(frozen=True)
class HandlersPlan:
    """The generation gap's part of a build, prepared while the output is written: the handlers modules that do
    not exist yet with their scaffold, and what the existing ones lack (missing_handlers)."""

    scaffolds: dict[Path, bytes]
    problems: list[str]


def plan_handlers(system: System, project_root: Path) -> HandlersPlan:
    scaffolds = new_scaffolds(system, project_root)
    return HandlersPlan(scaffolds, missing_handlers(system, project_root, fresh=set(scaffolds)))


def new_scaffolds(system: System, project_root: Path) -> dict[Path, bytes]:
    """The handlers module of every service that has none, by path."""
    scaffolds = {}
    for service in system.services:
        path = project_root / handlers_path(system, service)
        if not path.exists():
            scaffolds[path] = scaffold_module(system, service)
    return scaffolds


def write_scaffolds(scaffolds: Mapping[Path, bytes]) -> list[Path]:
    """Write each module whose path is still free; returns the files written (a module that appeared meanwhile
    is the user's, and is kept)."""
    written = []
    for path, content in scaffolds.items():
        os.makedirs(path.parent, exist_ok=True)
        if create_file(path, content):  # never replaces a file (a new system scaffolds a thousand modules)
            written.append(path)
    return written


def scaffold(system: System, project_root: Path) -> list[Path]:
    """Write the handlers module of every service that has none; returns the files written."""
    return write_scaffolds(new_scaffolds(system, project_root))


def missing_handlers(system: System, project_root: Path, fresh: Collection[Path] = ()) -> list[str]:
    """`<path>: missing handler <signature>` for every contract method the user's Handlers class lacks. The
    modules in `fresh` were just scaffolded, so they define every handler, and are not read."""
    problems = []
    for service in system.services:
        relative = handlers_path(system, service)
        path = project_root / relative
        if path in fresh:
            continue
        if not path.exists():
            problems.append(f"{relative}: missing (`rosec build` scaffolds it)")
            continue
        try:
            defined = _defined_methods(path.read_text("utf-8"), str(relative))
        except SyntaxError as error:
            problems.append(f"{relative}:{error.lineno}: cannot parse: {error.msg}")
            continue
        if defined is None:
            problems.append(f"{relative}: no class {HANDLERS_CLASS}({modules.base_class(service)})")
            continue
        problems += [f"{relative}: missing handler {h.signature}" for h in handlers(service) if h.name not in defined]
    return problems


def _defined_methods(source: str, filename: str) -> set[str] | None:
    """Names defined in class Handlers and in the classes of the same module it derives from; None without it."""
    tree = ast.parse(source, filename)
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    if HANDLERS_CLASS not in classes:
        return None
    found: set[str] = set()
    pending, seen = [HANDLERS_CLASS], set()
    while pending:
        name = pending.pop()
        if name in seen or name not in classes:
            continue
        seen.add(name)
        node = classes[name]
        found |= _names(node)
        pending += [base.id for base in node.bases if isinstance(base, ast.Name)]
    return found


def _names(node: ast.ClassDef) -> set[str]:
    names = set()
    for item in node.body:
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(item.name)
        elif isinstance(item, ast.Assign):
            names |= {t.id for t in item.targets if isinstance(t, ast.Name)}
        elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name) and item.value is not None:
            names.add(item.target.id)
    return names
