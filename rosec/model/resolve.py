"""Resolve a validated spec into the System model, or fail with every semantic error."""

from __future__ import annotations

from pathlib import PurePath
from typing import NamedTuple

from rosec.diagnostics import Diagnostic, SpecError, only_errors, only_warnings
from rosec.model.build import build_system
from rosec.model.checks import Checker
from rosec.model.system import System
from rosec.spec.loader import LoadedSpec
from rosec.spec.validate import Validation


class Resolved(NamedTuple):
    system: System
    warnings: list[Diagnostic]


def resolve(validation: Validation, loaded: LoadedSpec) -> Resolved:
    """The System and the spec's warnings; SpecError with every diagnostic (warnings too) when there are errors.

    The semantic checks run over whatever part of the spec is valid, so that one file reports its schema and
    its semantic mistakes together.
    """
    found = [*validation.errors, *Checker(validation.spec, loaded, validation.pruned).run()]
    if only_errors(found):
        raise SpecError(found)
    return Resolved(build_system(validation.spec, PurePath(loaded.file).name), sorted(set(only_warnings(found))))
