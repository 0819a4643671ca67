"""Resolve a validated spec into the System model, or fail with every semantic error."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import PurePath
from typing import NamedTuple

from rosec.diagnostics import Diagnostic, SpecError, only_errors, only_warnings
from rosec.forked import Forked, worth_forking
from rosec.model.build import build_system
from rosec.model.checks import Checker
from rosec.model.system import System
from rosec.spec.loader import LoadedSpec
from rosec.spec.validate import Validation

Redact = Callable[[Iterable[Diagnostic]], list[Diagnostic]]


class Resolved(NamedTuple):
    system: System
    warnings: list[Diagnostic]


def resolve(validation: Validation, loaded: LoadedSpec, redactor: Callable[[], Redact] = lambda: list) -> Resolved:
    """The System and the spec's warnings; SpecError with every diagnostic (warnings too) when there are errors.
    `redactor`: makes what masks credentials in the diagnostics (rosec.pipeline), called when there are some.

    The semantic checks run over whatever part of the spec is valid, so that one file reports its schema and
    its semantic mistakes together. For a large spec that validated, they run in a forked child while this
    process builds the system (1000 services: 0.4 s of checks beside 0.6 s of building), and the child masks
    the credentials in what it found: the spec is scanned for them (0.1 s) only when there is something to
    mask, and then beside the build. The system of a spec with errors is never used, and an exception raised
    while building it gives way to the checks' errors.
    """
    name = PurePath(loaded.file).name
    if validation.errors or not worth_forking(len(validation.spec.services)):
        found = _redacted(_found(validation, loaded), redactor)
        _raise_errors(found)
        return Resolved(build_system(validation.spec, name), _warnings(found))
    checks = Forked(lambda: _redacted(_found(validation, loaded), redactor))
    try:
        system = build_system(validation.spec, name)
    except Exception:
        _raise_errors(checks.result())
        raise
    except BaseException:
        checks.cancel()
        raise
    found = checks.result()
    _raise_errors(found)
    return Resolved(system, _warnings(found))


def _found(validation: Validation, loaded: LoadedSpec) -> list[Diagnostic]:
    return [*validation.errors, *Checker(validation.spec, loaded, validation.pruned).run()]


def _redacted(found: list[Diagnostic], redactor: Callable[[], Redact]) -> list[Diagnostic]:
    """The diagnostics with the spec's credentials masked; the spec is scanned for them only if there are some."""
    return redactor()(found) if found else found


def _raise_errors(found: list[Diagnostic]) -> None:
    if only_errors(found):
        raise SpecError(found) from None


def _warnings(found: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(set(only_warnings(found)))
