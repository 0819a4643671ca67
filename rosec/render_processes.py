"""Rendering the targets of a large system in two processes (rosec.forked).

The split keeps together the targets that share rendered files (System.once): the child renders the code that
stands beside the services (the runtime, the messaging topology, the log pipeline, Alertmanager, Compose); this
process renders the platform targets, which embed each other's files (Prometheus rules, Grafana dashboards, the
Kong config and the realm, in Helm and Terraform), and any third-party target. A target that renders in parts
(Target.parts: the services' code, a few services per part) is shared: each process takes the next part from a
queue whenever it is free, so that both finish at about the same time whatever the system holds (at 1000
services the fixed halves differ by up to a second from one system to the next and from run to run). The parts
are shared whichever targets are chosen: `--target services` alone renders in both processes too.

Everything renders here, in order, for a small system (rosec.forked.worth_forking: forking costs more than it
saves), with ROSEC_RENDER_PROCESSES=1, and wherever rosec.forked does not fork. The files are the same either
way. When the child fails, its targets and the parts this process did not render are rendered again here, so
that an error is raised in this process.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import partial
from itertools import chain
from typing import TYPE_CHECKING, TypeVar

from rosec.emit.disk import FileStats, write_under
from rosec.emit.files import FileTree, add_new_files
from rosec.emit.manifest import sha256
from rosec.forked import Forked, worth_forking

if TYPE_CHECKING:
    from rosec.model.system import System

Render = Callable[["System"], dict[str, bytes]]
Part = Callable[[], dict[str, bytes]]
Parts = Callable[["System"], list[Part]]
Rendered = dict[str, dict[str, tuple[bytes, str]]]  # target -> path -> (content, its SHA-256)
Staged = dict[str, dict[str, tuple[str, FileStats]]]  # target -> path -> (SHA-256, stats) of files written
V = TypeVar("V")

CHILD_TARGETS = frozenset({"services", "runtime", "messaging", "logs", "alertmanager", "compose"})


def render_targets(system: System, chosen: Sequence[str], registry: Mapping[str, Render],
                   staging: str | None = None, parts: Mapping[str, Parts] | None = None) -> tuple[Rendered, Staged]:
    """{target: {path: (content, SHA-256)}} of every chosen target, in the order chosen: each file is hashed in
    the process that rendered it, for the manifest. `parts`: the targets that render in parts (Target.parts).

    With `staging` (the directory a new output is written into before it is renamed into place), each of the
    two processes writes the files it rendered there itself, target by target and part by part, and they come
    back as Staged (digests and stats): 100 MB of content is neither sent between the processes nor written by
    one of them after both have rendered."""
    if not in_parallel(system):
        return _render(system, chosen, registry), {}
    parted = parts or {}
    shared = [(name, part) for name in chosen if name in parted for part in parted[name](system)]
    queue = PartQueue.holding(len(shared)) if len(shared) > 1 else None
    if queue is None:
        shared = []
    sharing = {name for name, _ in shared}
    in_child = [name for name in chosen if name in CHILD_TARGETS and name not in sharing]
    here = [name for name in chosen if name not in CHILD_TARGETS and name not in sharing]
    if queue is None and not (in_child and here):  # one process would have all the work
        return _render(system, chosen, registry), {}
    parent, done_here = os.getpid(), set[int]()

    def child_share() -> tuple[Rendered, Staged]:
        if os.getpid() == parent:  # no child, or it failed: its targets and every part this process left
            left = [shared[i] for i in range(len(shared)) if i not in done_here]
            return _render_or_stage(system, in_child, registry, staging, left)
        return _render_or_stage(system, in_child, registry, staging, queue.take(shared) if queue else ())

    child = Forked(child_share)
    try:
        rendered, staged = _render_or_stage(system, here, registry, staging,
                                            queue.take(shared, done_here) if queue else ())
    except BaseException:
        child.cancel()
        raise
    finally:
        if queue is not None:
            queue.close()
    from_child, staged_by_child = child.result()
    _merge(rendered, from_child)
    _merge(staged, staged_by_child)
    return {name: rendered[name] for name in chosen if name in rendered}, staged


def in_parallel(system: System) -> bool:
    """Whether work for this system is worth a second process, on this machine, now."""
    return worth_forking(len(system.services))


class PartQueue:
    """The numbers of the shared parts in a pipe that both processes read: each takes the next number when it
    is free. Every number is written before the fork, in one write, and read 4 bytes at a time: a pipe gives
    each read whole (readers take turns), so no part is taken twice."""

    _TOKEN = struct.Struct("<I")
    _CAPACITY = 65536  # a pipe's default buffer on Linux: a larger write would wait for a reader

    def __init__(self, read_end: int) -> None:
        self._read_end = read_end

    @classmethod
    def holding(cls, count: int) -> PartQueue | None:
        """A queue of 0..count-1; None when there is nothing to share or it would not fit in the pipe."""
        if not 0 < count * cls._TOKEN.size <= cls._CAPACITY:
            return None
        read_end, write_end = os.pipe()
        try:
            os.write(write_end, b"".join(cls._TOKEN.pack(i) for i in range(count)))
        finally:
            os.close(write_end)  # the readers see the end of the queue once it is empty
        return cls(read_end)

    def take(self, items: Sequence[V], taken: set[int] | None = None) -> Iterator[V]:
        """The items whose numbers this process takes, until the queue is empty; their numbers go into `taken`."""
        while token := os.read(self._read_end, self._TOKEN.size):
            (number,) = self._TOKEN.unpack(token)
            if taken is not None:
                taken.add(number)
            yield items[number]

    def close(self) -> None:
        os.close(self._read_end)


def _render(system: System, names: Sequence[str], registry: Mapping[str, Render]) -> Rendered:
    return {name: _hashed(registry[name](system)) for name in names}


def _hashed(files: dict[str, bytes]) -> dict[str, tuple[bytes, str]]:
    return {path: (content, sha256(content)) for path, content in files.items()}


def _render_or_stage(system: System, names: Sequence[str], registry: Mapping[str, Render], staging: str | None,
                     shared: Iterable[tuple[str, Part]]) -> tuple[Rendered, Staged]:
    """The targets named, then the shared parts this process takes; each written into `staging` (if given) as
    soon as it is rendered, so that the writes are part of what the processes share out."""
    rendered: Rendered = {}
    staged: Staged = {}
    targets: Iterator[tuple[str, Part]] = ((name, partial(registry[name], system)) for name in names)
    for name, render in chain(targets, shared):
        files = _hashed(render())
        if staging is None:
            _merge(rendered, {name: files})
        else:
            _merge(staged, _stage({name: files}, staging))
    return rendered, staged


def _merge(into: dict[str, dict[str, V]], more: Mapping[str, dict[str, V]]) -> None:
    """Add the files of each target in `more` to that target's in `into` (rosec.emit.files.add_new_files)."""
    for name, files in more.items():
        add_new_files(into.setdefault(name, {}), files, name)


def _stage(rendered: Rendered, staging: str) -> Staged:
    """Write the rendered files under the staging directory; their digests and stats by target."""
    tree = FileTree()
    for name, target_files in rendered.items():
        for path, (content, digest) in target_files.items():
            tree.add(name, path, content, digest)  # refuses a path outside the output before anything is written
    files = sorted(tree.files.items())
    # One writing thread: the two rendering processes keep both CPUs busy, and more threads only add CPU time
    # (1000 services: 1.9 s of staging CPU instead of 2.3 s on four threads).
    stats = write_under(staging, [(path, output.content) for path, output in files], threads=1)
    staged: Staged = {name: {} for name in rendered}
    for (path, output), written in zip(files, stats, strict=True):
        staged[output.target][path] = (output.sha256, written)
    return staged
