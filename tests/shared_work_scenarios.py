"""Scenarios of work that two processes share, each run in a fresh interpreter by tests/test_shared_work.py (a test
worker may hold threads of other tests' servers, and with other threads running rosec does not fork): the parts
of a target, which both rendering processes take from one queue (rosec.render_processes), and the semantic checks
of a large spec, run in a child while this process builds the system (rosec.model.resolve).

    python tests/shared_work_scenarios.py SCENARIO [SPEC]   # prints one JSON object
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import rosec.model.resolve
from rosec.diagnostics import SpecError
from rosec.forked import PROCESSES_VARIABLE
from rosec.model.system import System
from rosec.pipeline import diagnose, load_system
from rosec.render_processes import render_targets

HERE = Path(__file__).resolve().parent
SHOP = HERE.parent / "spec-examples" / "shop" / "rose.yaml"
PARTS = 8
WAIT = 60.0  # seconds a scenario waits for the other process before it gives up (and its test fails)


class PartError(Exception):
    pass


def _pid(system: System) -> dict[str, bytes]:
    return {"pid": str(os.getpid()).encode()}


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.005)


def _takers(marks: Path) -> set[str]:
    return {mark.name.split("-")[1] for mark in marks.iterdir()}


def _part_waiting_for_both(marks: Path, number: int) -> dict[str, bytes]:
    """Marks that this process took the part, then waits until both processes have taken one: neither can take
    every part however the two are scheduled."""
    (marks / f"{number}-{os.getpid()}").touch()
    _wait_for(lambda: len(_takers(marks)) > 1)
    return {f"part-{number}": str(os.getpid()).encode()}


def parts_shared(spec: str, targets: tuple[str, ...] = ("kong", "services", "logs")) -> dict[str, Any]:
    os.environ[PROCESSES_VARIABLE] = "2"
    marks = Path(tempfile.mkdtemp())
    registry = {name: _pid for name in targets}
    parts = {"services": lambda system: [partial(_part_waiting_for_both, marks, i) for i in range(PARTS)]}
    rendered, _ = render_targets(load_system(Path(spec)), list(registry), registry, parts=parts)
    return {"order": list(rendered), "own": os.getpid(),
            "pids": {name: {path: int(content) for path, (content, _) in files.items()}
                     for name, files in rendered.items()}}


def part_fails_in_child(spec: str) -> dict[str, Any]:
    """Every part fails in the child; the child takes one (this process waits for it) and dies."""
    os.environ[PROCESSES_VARIABLE] = "2"
    parent, marks = os.getpid(), Path(tempfile.mkdtemp())

    def part(number: int) -> dict[str, bytes]:
        (marks / f"{number}-{os.getpid()}").touch()
        if os.getpid() != parent:
            raise PartError(f"part {number} failed in the child")
        return {f"part-{number}": str(os.getpid()).encode()}

    def waits_for_the_child(system: System) -> dict[str, bytes]:
        _wait_for(lambda: bool(_takers(marks) - {str(parent)}))
        return _pid(system)

    registry = {"kong": waits_for_the_child, "services": _pid, "logs": _pid}
    parts = {"services": lambda system: [partial(part, i) for i in range(PARTS)]}
    rendered, _ = render_targets(load_system(Path(spec)), list(registry), registry, parts=parts)
    return {"own": os.getpid(), "child_took": sorted(_takers(marks) - {str(parent)}),
            "pids": {name: {path: int(content) for path, (content, _) in files.items()}
                     for name, files in rendered.items()}}


def checks_forked(corpus: str) -> dict[str, Any]:
    """Every spec of the corpus diagnosed with the checks in this process, then in a child where they fork."""
    marks = Path(tempfile.mkdtemp())

    class RecordingChecker(rosec.model.resolve.Checker):
        def run(self) -> list[Any]:
            (marks / f"x-{os.getpid()}").touch()
            return super().run()

    rosec.model.resolve.Checker = RecordingChecker  # type: ignore[misc]
    specs = sorted(Path(corpus).glob("*.yaml"))
    differ = []
    for spec in specs:
        os.environ[PROCESSES_VARIABLE] = "1"
        alone = diagnose(spec)
        os.environ[PROCESSES_VARIABLE] = "2"
        if diagnose(spec) != alone:
            differ.append(spec.name)
    return {"specs": len(specs), "differ": differ, "checked_in_children": len(_takers(marks) - {str(os.getpid())})}


def build_fails_under_errors(spec: str) -> dict[str, Any]:
    """Building the system raises: with the checks' errors those are reported, else the exception stays."""
    os.environ[PROCESSES_VARIABLE] = "2"

    def broken(*args: Any) -> System:
        raise RuntimeError("building failed")

    rosec.model.resolve.build_system = broken
    outcome: dict[str, Any] = {}
    for label, path in (("invalid", HERE / "invalid" / "clash-field-derived.yaml"), ("valid", Path(spec))):
        try:
            load_system(path)
            outcome[label] = "built"
        except SpecError as error:
            outcome[label] = [d.message for d in error.diagnostics]
        except RuntimeError as error:
            outcome[label] = f"RuntimeError: {error}"
    return outcome


SCENARIOS: dict[str, Callable[[str], dict[str, Any]]] = {
    "parts-shared": parts_shared, "parts-shared-alone": partial(parts_shared, targets=("services",)),
    "part-fails-in-child": part_fails_in_child, "checks-forked": checks_forked,
    "build-fails-under-errors": build_fails_under_errors,
}

if __name__ == "__main__":
    print(json.dumps(SCENARIOS[sys.argv[1]](sys.argv[2] if len(sys.argv) > 2 else str(SHOP))))
