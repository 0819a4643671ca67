"""Rendering the targets of a large system in two processes (rosec.forked).

The split keeps together the targets that share rendered files (System.once): the child renders the services'
code and what stands beside it (the runtime, the messaging topology, the log pipeline, Alertmanager, Compose);
this process renders the platform targets, which embed each other's files (Prometheus rules, Grafana dashboards,
the Kong config and the realm, in Helm and Terraform), and any third-party target. At 1000 services the two
halves take about the same time (3.5 to 4 s each here, with writing a new output's files); the process that
finishes first waits for the other.

Everything renders here, in order, for a small system (rosec.forked.worth_forking: forking costs more than it
saves), with ROSEC_RENDER_PROCESSES=1, and wherever rosec.forked does not fork. The files are the same either
way. A target that fails in the child is rendered again here, so that its error is raised in this process.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from rosec.emit.disk import FileStats, write_under
from rosec.emit.files import FileTree
from rosec.emit.manifest import sha256
from rosec.forked import Forked, worth_forking

if TYPE_CHECKING:
    from rosec.model.system import System

Render = Callable[["System"], dict[str, bytes]]
Rendered = dict[str, dict[str, tuple[bytes, str]]]  # target -> path -> (content, its SHA-256)
Staged = dict[str, dict[str, tuple[str, FileStats]]]  # target -> path -> (SHA-256, stats) of files written

CHILD_TARGETS = frozenset({"services", "runtime", "messaging", "logs", "alertmanager", "compose"})


def render_targets(system: System, chosen: Sequence[str], registry: Mapping[str, Render],
                   staging: str | None = None) -> tuple[Rendered, Staged]:
    """{target: {path: (content, SHA-256)}} of every chosen target, in the order chosen: each file is hashed in
    the process that rendered it, for the manifest.

    With `staging` (the directory a new output is written into before it is renamed into place), each of the
    two processes writes the files it rendered there itself, and they come back as Staged (digests and stats):
    the child writes while this process still renders, this process while the child still writes, and 100 MB
    of content is neither sent between them nor written by one process after both have rendered."""
    in_child = [name for name in chosen if name in CHILD_TARGETS]
    here = [name for name in chosen if name not in CHILD_TARGETS]
    if not (in_child and here and in_parallel(system)):
        return _render(system, chosen, registry), {}
    child = Forked(lambda: _render_or_stage(system, in_child, registry, staging))
    try:
        rendered, staged = _render_or_stage(system, here, registry, staging)
    except BaseException:
        child.cancel()
        raise
    from_child, staged_by_child = child.result()
    rendered |= from_child
    staged |= staged_by_child
    return {name: rendered[name] for name in chosen if name in rendered}, staged


def in_parallel(system: System) -> bool:
    """Whether work for this system is worth a second process, on this machine, now."""
    return worth_forking(len(system.services))


def _render(system: System, names: Sequence[str], registry: Mapping[str, Render]) -> Rendered:
    return {name: {path: (content, sha256(content)) for path, content in registry[name](system).items()}
            for name in names}


def _render_or_stage(system: System, names: Sequence[str], registry: Mapping[str, Render],
                     staging: str | None) -> tuple[Rendered, Staged]:
    rendered = _render(system, names, registry)
    if staging is None:
        return rendered, {}
    return {}, _stage(rendered, staging)


def _stage(rendered: Rendered, staging: str) -> Staged:
    """Write the rendered files under the staging directory; their digests and stats by target."""
    tree = FileTree()
    for name, target_files in rendered.items():
        for path, (content, digest) in target_files.items():
            tree.add(name, path, content, digest)  # refuses a path outside the output before anything is written
    files = sorted(tree.files.items())
    stats = write_under(staging, [(path, output.content) for path, output in files])
    staged: Staged = {name: {} for name in rendered}
    for (path, output), written in zip(files, stats, strict=True):
        staged[output.target][path] = (output.sha256, written)
    return staged
