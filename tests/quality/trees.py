"""The generated trees the real tools check: every example of spec-examples/ and two synthetic specs (stress: a
system rosec was not tuned for; limits: every name as long as the language allows), each built with every target
into a directory of its own, with the handlers the services import."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from conftest import ROOT, example_specs

from quality.limits import limits_spec
from rosec.emit.files import FileTree
from rosec.model.system import System
from rosec.pipeline import load_system, render
from rosec.targets.services.scaffold import scaffold_module

STRESS_SPEC = Path(__file__).with_name("stress.rose.yaml")
SYNTHETIC = {"stress": STRESS_SPEC, "limits": limits_spec()}  # no handlers of their own: scaffolded ones
SPECS = {**{spec.parent.name: spec for spec in example_specs()}, **SYNTHETIC}


@dataclass(frozen=True)
class Tree:
    name: str
    system: System
    files: FileTree
    out: Path  # what `rosec build` writes (generated/<system>/)
    handlers: Path  # <handlers_dir>: the hand-written handlers, <handlers>/<service>/handlers.py

    @property
    def services_dir(self) -> Path:
        return self.out / self.system.layout.services_dir

    def paths(self, suffix: str) -> list[Path]:
        return sorted(self.out / path for path in self.files.files if path.endswith(suffix))


def build_tree(name: str, root: Path) -> Tree:
    """Build the spec into root/<name>/; the examples use their committed handlers, the synthetic specs the
    scaffolded ones (what `rosec build` writes for a new service)."""
    system = load_system(SPECS[name])
    files = render(system)
    out = root / name / "out"
    for path, output in files.files.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_bytes(output.content)
    if name in SYNTHETIC:
        handlers = root / name / "handlers"
        for service in system.services:
            target = handlers / service.name / "handlers.py"
            target.parent.mkdir(parents=True)
            target.write_bytes(scaffold_module(system, service))
    else:
        handlers = ROOT / system.layout.handlers_dir
    return Tree(name, system, files, out, handlers)
