"""Scenarios of the work rosec forks (rosec.forked: rendering in two processes, the handlers plan of a build),
each run in a fresh interpreter by tests/test_render_processes.py: a test worker may hold threads of other
tests' servers, and with other threads running rosec does not fork.

    python tests/render_scenarios.py SCENARIO [SPEC]   # prints one JSON object
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rosec.building import Request, build
from rosec.emit.files import FileTree
from rosec.emit.writer import WriteRefusedError
from rosec.forked import PROCESSES_VARIABLE, Forked, usable_cpus
from rosec.model.system import System
from rosec.pipeline import load_system, render
from rosec.render_processes import CHILD_TARGETS, in_parallel, render_targets
from rosec.targets.services.scaffold import plan_handlers

SHOP = Path(__file__).resolve().parent.parent / "spec-examples" / "shop" / "rose.yaml"


class ChildTargetError(Exception):
    pass


def _pid(system: System) -> dict[str, bytes]:
    return {"pid": str(os.getpid()).encode()}


def _failing(system: System) -> dict[str, bytes]:
    raise ChildTargetError(f"failed in {os.getpid()}")


def same_files(spec: str) -> dict[str, Any]:
    os.environ[PROCESSES_VARIABLE] = "1"
    alone = load_system(Path(spec))
    forked_when_told_not_to = in_parallel(alone)
    one = render(alone)
    os.environ[PROCESSES_VARIABLE] = "2"
    shared = load_system(Path(spec))  # a system of its own: nothing System.once kept from the first render
    two = render(shared)
    return {"forked": in_parallel(shared), "forked_when_told_not_to": forked_when_told_not_to, "files": len(one.files),
            "same_order": list(one.files) == list(two.files),
            "same_files": all(one.files[p] == two.files[p] for p in one.files),
            "true_digests": all(f.sha256 == hashlib.sha256(f.content).hexdigest() for f in two.files.values()),
            "child_targets": sorted({f.target for f in two.files.values()} & CHILD_TARGETS)}


def pids(spec: str) -> dict[str, Any]:
    os.environ[PROCESSES_VARIABLE] = "2"
    registry = {"kong": _pid, "services": _pid, "helm": _pid, "compose": _pid, "logs": _pid}
    rendered, _ = render_targets(load_system(Path(spec)), list(registry), registry)
    return {"order": list(rendered), "pids": {name: int(files["pid"][0]) for name, files in rendered.items()},
            "own": os.getpid()}


def defaults(spec: str) -> dict[str, Any]:
    import rosec.forked

    os.environ.pop(PROCESSES_VARIABLE, None)
    system = load_system(Path(spec))
    small = in_parallel(system)
    rosec.forked.PARALLEL_FROM_SERVICES = len(system.services)
    large = in_parallel(system)
    os.environ[PROCESSES_VARIABLE] = "1"
    large_but_told_not_to = in_parallel(system)
    os.environ[PROCESSES_VARIABLE] = "2"
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with_another_thread = in_parallel(system)
    finally:
        stop.set()
        other.join()
    return {"small": small, "large": large, "told_not_to": large_but_told_not_to,
            "with_another_thread": with_another_thread, "cpus": usable_cpus()}


def child_fails(spec: str) -> dict[str, Any]:
    os.environ[PROCESSES_VARIABLE] = "2"
    registry = {"kong": _pid, "services": _failing}
    try:
        render_targets(load_system(Path(spec)), list(registry), registry)
    except ChildTargetError as error:
        return {"error": str(error), "own": os.getpid()}
    return {"error": None}


def parent_fails(spec: str) -> dict[str, Any]:
    os.environ[PROCESSES_VARIABLE] = "2"
    started = Path(tempfile.mkdtemp()) / "child.pid"

    def waits_for_ever(system: System) -> dict[str, bytes]:
        started.write_text(str(os.getpid()))
        os.pause()
        return {}

    def fails_once_the_child_runs(system: System) -> dict[str, bytes]:
        deadline = time.monotonic() + 60
        while not started.exists() or not started.read_text():
            if time.monotonic() > deadline:
                raise RuntimeError("no child started")
            os.sched_yield()
        raise ChildTargetError("here")

    registry = {"kong": fails_once_the_child_runs, "services": waits_for_ever}
    try:
        render_targets(load_system(Path(spec)), list(registry), registry)
    except ChildTargetError as error:
        child = int(started.read_text())
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return {"error": str(error), "child_gone": True}
        return {"error": str(error), "child_gone": False}
    return {"error": None}


def handlers_plan(spec: str) -> dict[str, Any]:
    """The handlers plan of a build prepared in a child (a project without handlers, one with the minimal's)."""
    os.environ[PROCESSES_VARIABLE] = "2"
    system = load_system(Path(spec))
    root = Path(tempfile.mkdtemp())
    here = plan_handlers(system, root)
    child = Forked(lambda: (os.getpid(), plan_handlers(system, root)), fork=in_parallel(system))
    pid, planned = child.result()
    return {"forked": pid != os.getpid(), "same": planned == here, "scaffolds": len(here.scaffolds)}


def refused_build(spec: str) -> dict[str, Any]:
    """A build that the writer refuses (a file rosec did not write) while the handlers plan is prepared."""
    os.environ[PROCESSES_VARIABLE] = "2"
    root = Path(tempfile.mkdtemp())
    out = root / "out"
    out.mkdir()
    (out / "mine.txt").write_text("not rosec's\n")
    try:
        build(Request(Path(spec), root, out, None))
    except WriteRefusedError:
        try:
            os.waitpid(-1, os.WNOHANG)
            child_left = True
        except ChildProcessError:
            child_left = False
        return {"refused": True, "child_left": child_left,
                "written": sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())}
    return {"refused": False}


def staged_build(spec: str) -> dict[str, Any]:
    """A build into a new output in two processes (each writes its files into the staging directory), another in
    one process; then a build over the first, which its record must show to be up to date."""
    import rosec.pipeline

    trees: list[FileTree] = []
    render = rosec.pipeline.render

    def observed(system: System, targets: Any = None, staging: Path | None = None) -> FileTree:
        trees.append(render(system, targets, staging))
        return trees[-1]

    rosec.pipeline.render = observed  # building imports it from the module when it builds
    root = Path(tempfile.mkdtemp())
    os.environ[PROCESSES_VARIABLE] = "2"
    build(Request(Path(spec), root, root / "two", None))
    noop = build(Request(Path(spec), root, root / "two", None))
    os.environ[PROCESSES_VARIABLE] = "1"
    build(Request(Path(spec), root, root / "one", None))
    two, one = _contents(root / "two"), _contents(root / "one")
    staged_targets = {f.target for f in trees[0].staged.values()}
    staged_by = sorted({"child" if target in CHILD_TARGETS else "here" for target in staged_targets})
    mode = oct(os.stat(next(p for p in (root / "two").rglob("*") if p.is_file())).st_mode & 0o777)
    return {"staged_by": staged_by, "unstaged": len(trees[0].files), "files": len(two), "same_output": two == one,
            "mode": mode, "noop_wrote_nothing": noop.result is None}


def _contents(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def staging_fails(spec: str) -> dict[str, Any]:
    """A target failing in the child, and one rendering a path outside the output, while a new output is staged."""
    from rosec.emit.writer import staging_directory

    os.environ[PROCESSES_VARIABLE] = "2"
    system = load_system(Path(spec))
    parent = Path(tempfile.mkdtemp())
    errors: dict[str, str | None] = {}
    for label, registry in (("child_error", {"kong": _pid, "services": _failing}),
                            ("unsafe_error", {"kong": _pid, "services": lambda s: {"../escape.txt": b"x"}})):
        errors[label] = None
        try:
            with staging_directory(parent / "out") as staging:
                render_targets(system, list(registry), registry, str(staging))
        except (ChildTargetError, ValueError) as error:
            errors[label] = str(error)
    left = sorted(p.relative_to(parent).as_posix() for p in parent.rglob("*"))
    return {**errors, "own": os.getpid(), "left": left}


SCENARIOS: dict[str, Callable[[str], dict[str, Any]]] = {
    "same-files": same_files, "pids": pids, "defaults": defaults, "child-fails": child_fails,
    "parent-fails": parent_fails, "handlers-plan": handlers_plan, "refused-build": refused_build,
    "staged-build": staged_build, "staging-fails": staging_fails,
}

if __name__ == "__main__":
    print(json.dumps(SCENARIOS[sys.argv[1]](sys.argv[2] if len(sys.argv) > 2 else str(SHOP))))
