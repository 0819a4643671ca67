"""load -> validate -> resolve -> render: the whole compiler as plain functions."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from rosec.diagnostics import Diagnostic, SpecError
from rosec.lifetime import keep_until_exit

if TYPE_CHECKING:
    from rosec.emit.files import FileTree
    from rosec.model.system import System

# Each function imports the stages it runs: importing this module costs nothing, so that a command loads
# only what it uses (`rosec validate` never loads the targets; an unchanged `rosec build` loads nothing).


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a phase of the compiler runs.

    Loading, checking and rendering build large graphs of objects that are nearly all alive until the phase
    ends and nearly none of them in reference cycles; the collector would walk them again and again, which
    costs more CPU than the phase itself for a large spec (1000 services: 2.0 s instead of 0.5 s to load).
    Whatever cyclic garbage the phase leaves is collected once the collector runs again.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class Compiled(NamedTuple):
    system: System
    warnings: list[Diagnostic]


def read_spec(spec_path: Path) -> bytes:
    """The spec's bytes; SpecError (as from loading it) when it cannot be read."""
    try:
        return spec_path.read_bytes()
    except OSError:
        from rosec.spec.loader import load_file

        load_file(spec_path)  # raises the loader's diagnostic for a spec that cannot be read
        raise


def compile_spec(spec_path: Path, spec_bytes: bytes | None = None) -> Compiled:
    """The resolved system and the spec's warnings, or SpecError with every error and warning. `spec_bytes`: the
    spec's bytes if already read (a build records the digest of exactly the bytes it built from).

    No diagnostic repeats a value of the spec that looks like a credential (rosec.spec.credentials.redact).
    """
    from rosec.model.resolve import resolve
    from rosec.spec.loader import load_bytes, load_file
    from rosec.spec.validate import validate_parts

    with gc_paused():
        try:
            loaded = load_file(spec_path) if spec_bytes is None else load_bytes(spec_bytes, str(spec_path))
        except SpecError as error:
            raise SpecError(_redacted(error.diagnostics, spec_path)) from None
        system, warnings = resolve(validate_parts(loaded), loaded, lambda: _redactor(spec_path))
    keep_until_exit(system)
    return Compiled(system, warnings)


def load_system(spec_path: Path, spec_bytes: bytes | None = None) -> System:
    """The resolved system of the spec at spec_path (see compile_spec)."""
    return compile_spec(spec_path, spec_bytes).system


def diagnose(spec_path: Path) -> list[Diagnostic]:
    """Every error and warning of the spec, in file order."""
    try:
        return compile_spec(spec_path).warnings
    except SpecError as exc:
        return list(exc.diagnostics)


def _redacted(diagnostics: list[Diagnostic], spec_path: Path) -> list[Diagnostic]:
    return _redactor(spec_path)(diagnostics) if diagnostics else diagnostics


def _redactor(spec_path: Path) -> Callable[[Iterable[Diagnostic]], list[Diagnostic]]:
    """What masks the credentials of the spec at spec_path in diagnostics (it reads and scans the spec now)."""
    from rosec.spec.credentials import diagnostics_redactor

    try:
        source = spec_path.read_bytes().decode("utf-8", "replace")
    except OSError:
        source = ""
    return diagnostics_redactor(source)


def render(system: System, targets: Iterable[str] | None = None, staging: Path | None = None) -> FileTree:
    """The files of the targets (all by default). `staging`: the directory a new output is written into
    (rosec.emit.writer.staging_directory); files already written there come back in the tree's `staged`."""
    from rosec.emit.files import FileTree
    from rosec.render_processes import render_targets
    from rosec.targets import available_parts, available_targets

    registry = available_targets()
    chosen = list(targets) if targets is not None else list(registry)
    tree = FileTree()
    with gc_paused():
        rendered, staged = render_targets(system, chosen, registry, str(staging) if staging is not None else None,
                                          available_parts())
        for name in chosen:
            for path, (content, digest) in sorted(rendered.get(name, {}).items()):
                tree.add(name, path, content, digest)
            if name in staged:
                tree.add_staged(name, staged[name])
    keep_until_exit(tree)
    return tree


def built_from(targets: Iterable[str] | None, spec_bytes: bytes) -> dict[str, dict[str, str]]:
    """What the output of each target depends on besides rosec's code, for the manifest (rosec.emit.manifest)."""
    from importlib.metadata import PackageNotFoundError, version

    from rosec import __version__
    from rosec.emit.manifest import sha256
    from rosec.targets import registered_targets

    registry = registered_targets()
    digest = sha256(spec_bytes)
    facts: dict[str, dict[str, str]] = {}
    for name in targets if targets is not None else registry:
        facts[name] = {"rosec": __version__, "spec_sha256": digest}
        for tool in registry[name].tools:
            try:
                facts[name][tool] = version(tool)
            except PackageNotFoundError:
                facts[name][tool] = "unknown"
    return facts
