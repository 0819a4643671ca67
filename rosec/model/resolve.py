"""Resolve a validated spec into the System model, or fail with every semantic error."""

from __future__ import annotations

from pathlib import PurePath

from rosec.diagnostics import SpecError
from rosec.model.build import build_system
from rosec.model.checks import Checker
from rosec.model.system import System
from rosec.spec.loader import LoadedSpec
from rosec.spec.models import RoseSpec


def resolve(spec: RoseSpec, loaded: LoadedSpec) -> System:
    errors = Checker(spec, loaded).run()
    if errors:
        raise SpecError(errors)
    return build_system(spec, PurePath(loaded.file).name)
