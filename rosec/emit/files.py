"""The rendered output of a build: relative path -> content, its SHA-256 and the target that owns it."""

from __future__ import annotations

from dataclasses import dataclass, field

from rosec.emit.manifest import sha256 as sha256_of


@dataclass(frozen=True)
class OutputFile:
    content: bytes
    target: str
    sha256: str  # of content, for the manifest


@dataclass
class FileTree:
    files: dict[str, OutputFile] = field(default_factory=dict)

    def add(self, target: str, path: str, content: bytes, sha256: str | None = None) -> None:
        """Add a file; `sha256`: the content's digest if already known (rendering in two processes hashes each
        file where it was rendered)."""
        _check_relative(path)
        if path in self.files:
            raise ValueError(f"targets '{self.files[path].target}' and '{target}' both produce {path}")
        self.files[path] = OutputFile(content, target, sha256 if sha256 is not None else sha256_of(content))

    def targets(self) -> set[str]:
        return {f.target for f in self.files.values()}


def _check_relative(path: str) -> None:
    """A relative POSIX path that stays inside the output directory (string checks: a build adds 35,000 paths)."""
    segments = path.split("/")
    if path.startswith("/") or "\\" in path or ".." in segments or all(s in ("", ".") for s in segments):
        raise ValueError(f"unsafe output path {path!r}")
