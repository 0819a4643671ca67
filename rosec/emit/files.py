"""The rendered output of a build: relative path -> content, its SHA-256 and the target that owns it; and the
files that rendering already wrote into the staging directory of a new output (rosec.render_processes)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple, TypeVar

from rosec.emit.disk import FileStats
from rosec.emit.manifest import sha256 as sha256_of


@dataclass(frozen=True)
class OutputFile:
    content: bytes
    target: str
    sha256: str  # of content, for the manifest


class StagedFile(NamedTuple):
    """A file already written into the staging directory of a new output, by the process that rendered it."""

    target: str
    sha256: str
    stats: FileStats  # as written (the build record keeps them)


@dataclass
class FileTree:
    files: dict[str, OutputFile] = field(default_factory=dict)
    staged: dict[str, StagedFile] = field(default_factory=dict)  # only for a new output: see rosec.emit.writer

    def add(self, target: str, path: str, content: bytes, sha256: str | None = None) -> None:
        """Add a file; `sha256`: the content's digest if already known (rendering in two processes hashes each
        file where it was rendered)."""
        self._check_new(target, path)
        self.files[path] = OutputFile(content, target, sha256 if sha256 is not None else sha256_of(content))

    def add_staged(self, target: str, staged: Mapping[str, tuple[str, FileStats]]) -> None:
        """Add a target's files that were written into the staging directory: path -> (SHA-256, stats). Their
        paths were checked before they were written (by add, in the process that wrote them)."""
        for path in staged.keys() & (self.files.keys() | self.staged.keys()):
            self._check_new(target, path)  # raises: two targets produce it
        self.staged.update((path, StagedFile(target, digest, stats)) for path, (digest, stats) in staged.items())

    def targets(self) -> set[str]:
        return {f.target for f in self.files.values()} | {f.target for f in self.staged.values()}

    def _check_new(self, target: str, path: str) -> None:
        _check_relative(path)
        owner = self.files.get(path) or self.staged.get(path)
        if owner is not None:
            raise ValueError(f"targets '{owner.target}' and '{target}' both produce {path}")


V = TypeVar("V")


def add_new_files(into: dict[str, V], more: Mapping[str, V], target: str) -> None:
    """Add the files of `more` (by path) to `into`, those of the same target: a path already there is an error,
    the target produces it twice (in two of its parts)."""
    twice = into.keys() & more.keys()
    if twice:
        raise ValueError(f"target '{target}' produces {min(twice)} twice")
    into.update(more)


def _check_relative(path: str) -> None:
    """A relative POSIX path that stays inside the output directory (string checks: a build adds 35,000 paths)."""
    segments = path.split("/")
    if path.startswith("/") or "\\" in path or ".." in segments or all(s in ("", ".") for s in segments):
        raise ValueError(f"unsafe output path {path!r}")
