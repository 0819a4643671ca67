"""Where a project's files live: the project root, and the paths rosec resolves against it.

The project root is the nearest directory, starting at the spec's own directory and going up, that holds a
`pyproject.toml` or a `.git` (a directory, or the file of a git worktree); without one, the spec's directory.
`--project-root` overrides it. The default output `generated/<system>`, the hand-written handlers
`<handlers_dir>/<service>/`, the volumes of `rosec run` and rosec's local state `.rosec/` are all under it, so
a command gives the same result from any working directory. Paths given on the command line (`-o`, `--env-file`)
are relative to the working directory, as usual for a command line.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rosec.model.system import System

PROJECT_MARKERS = ("pyproject.toml", ".git")
GENERATED_DIR = "generated"
LOCAL_STATE_DIR = ".rosec"  # git-ignores itself (see local_state_dir)


def find_project_root(spec: Path) -> Path:
    """The nearest ancestor of the spec's directory (itself included) holding a project marker, else that
    directory; absolute."""
    start = Path(os.path.abspath(spec)).parent
    for directory in (start, *start.parents):
        if any((directory / marker).exists() for marker in PROJECT_MARKERS):
            return directory
    return start


def project_root(spec: Path, override: Path | None = None) -> Path:
    """The project root of a command: the --project-root given, else the one found from the spec."""
    return Path(os.path.abspath(override)) if override is not None else find_project_root(spec)


def default_output(system: System, root: Path) -> Path:
    """generated/<system> under the project root."""
    return root / GENERATED_DIR / system.name


def local_state_dir(root: Path) -> Path:
    """`.rosec/` under the project root, created on first use with a .gitignore that ignores all of it."""
    state = root / LOCAL_STATE_DIR
    ignore = state / ".gitignore"
    if not ignore.exists():
        state.mkdir(parents=True, exist_ok=True)
        ignore.write_text("# rosec's local state (build records, volumes of `rosec run`): never committed\n*\n",
                          "utf-8")
    return state


def shown(path: Path) -> str:
    """A path as messages show it: relative to the working directory when it lies below it, else absolute."""
    absolute = Path(os.path.abspath(path))
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)
