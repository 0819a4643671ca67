"""Finding and running the real tools; a missing tool fails the test with how to install it, never skips."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

VENV_BIN = Path(sys.executable).parent
NPM_BIN = ROOT / ".tools" / "node_modules" / ".bin"
PIP_HINT = "run `bash scripts/setup.sh` (it installs the `dev` extra of pyproject.toml)"
NPM_HINT = "run `bash scripts/setup.sh` (it installs tools/package-lock.json into .tools/ with `npm ci`)"


def executable(name: str, hint: str, where: Path = VENV_BIN) -> str:
    """The tool `name` from `where` (the venv or .tools), else from PATH."""
    candidate = where / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: {hint}")
    return found


def run(command: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          timeout=timeout, check=False)


def report(result: subprocess.CompletedProcess[str]) -> str:
    return f"$ {' '.join(map(str, result.args))}\nexit {result.returncode}\n{result.stdout}\n{result.stderr}"
