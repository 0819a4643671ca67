"""Where jinja2 keeps the templates it compiled, so that each is compiled once per machine, not once per process.

Compiling rosec's templates to Python takes longer than rendering them for a small system (the shop: 0.13 s of
a 0.7 s build), and for a large one both rendering processes compiled the same templates. jinja2's own
bytecode cache keeps the compiled code, checked against a checksum of the template's source, in a directory of
the user's cache: `$XDG_CACHE_HOME/rosec/` (else `~/.cache/rosec/`), in a subdirectory named after everything
else the code depends on (the versions of Python and jinja2, the environment's options). Nothing else is kept
there, and deleting it is always safe.

The cache is used only where it is safe to load code from: a directory of this user that no one else may write
(as Python's own __pycache__). Where there is none (no home directory, a read-only one, another owner), or when
the cache cannot be read or written, templates are compiled as before: the output never depends on it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import sys
from pathlib import Path
from typing import Any

import jinja2
from jinja2.bccache import Bucket, FileSystemBytecodeCache

CACHE_DIRECTORY = "rosec"


class UserBytecodeCache(FileSystemBytecodeCache):
    """jinja2's file system cache in a private directory made on first use (not when a module that defines an
    environment is imported), where an entry that cannot be read or written is a miss, not an error."""

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__(directory="", pattern="%s.cache")
        self._options = options
        self._usable: bool | None = None  # not looked for yet

    def load_bytecode(self, bucket: Bucket) -> None:
        if not self._ready():
            return
        try:
            super().load_bytecode(bucket)
        except Exception:  # a truncated or foreign entry (EOFError, UnpicklingError, ValueError...): compile anew
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        if not self._ready():
            return
        with contextlib.suppress(OSError):  # a full disk, a directory removed meanwhile: the next build compiles
            super().dump_bytecode(bucket)

    def _ready(self) -> bool:
        if self._usable is None:
            directory = cache_directory(self._options)
            self._usable = directory is not None
            self.directory = str(directory)
        return self._usable


def cache_directory(options: dict[str, Any]) -> Path | None:
    """The directory of templates compiled with these environment options, None where there is no safe one."""
    try:
        return _private_directory(user_cache_root() / CACHE_DIRECTORY / f"templates-{_code_key(options)}")
    except RuntimeError:  # Path.home() without a home directory
        return None


def user_cache_root() -> Path:
    configured = os.environ.get("XDG_CACHE_HOME", "")
    return Path(configured) if os.path.isabs(configured) else Path.home() / ".cache"


def _code_key(options: dict[str, Any]) -> str:
    """What the compiled code depends on besides the template's source (which jinja2 checks itself)."""
    described = repr((sys.implementation.cache_tag, sys.version, jinja2.__version__, sorted(options.items())))
    return hashlib.sha256(described.encode("utf-8")).hexdigest()[:16]


def _private_directory(path: Path) -> Path | None:
    """`path`, made if needed (mode 0700, as its parent), when this user owns it and no one else may write to it
    or to its parent; else None."""
    if not hasattr(os, "getuid"):
        return None
    try:  # both levels made private: parents=True alone would make rosec/ as the umask says (0775 under 002)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.mkdir(mode=0o700, exist_ok=True)
        return path if all(_private(directory) for directory in (path, path.parent)) else None
    except OSError:
        return None


def _private(directory: Path) -> bool:
    info = directory.lstat()
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o022
