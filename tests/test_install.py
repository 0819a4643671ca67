"""The README's CI snippet, run as written in a fresh virtual environment: build the wheel, install it, check.

Also what `rosec run` says there, where rosec's `services` extra is not installed. Slow (a venv and a real pip
install, about 20 s): one test does both.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, ROOT

from rosec.cli import main

PLACEHOLDER = "/path/to/rosec"


def ci_snippet() -> str:
    readme = (ROOT / "README.md").read_text("utf-8")
    found = re.search(r"<!-- the CI snippet[^\n]*-->\n```sh\n(.*?)```", readme, re.DOTALL)
    assert found, "README.md lost its marked CI snippet"
    assert PLACEHOLDER in found[1]
    return found[1]


def copy_of_rosec(target: Path) -> Path:
    """What a checkout holds that building the wheel reads (not the venv, not generated/)."""
    target.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, target / name)
    shutil.copytree(ROOT / "rosec", target / "rosec", ignore=shutil.ignore_patterns("__pycache__"))
    return target


@pytest.mark.long(seconds=33)
def test_the_readme_ci_snippet_works_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = copy_of_rosec((tmp_path / "rosec-checkout").resolve())
    team = tmp_path / "team"
    team.mkdir()
    shutil.copy(EXAMPLES / "minimal" / "rose.yaml", team / "rose.yaml")
    monkeypatch.chdir(team)
    assert CliRunner().invoke(main, ["build", "rose.yaml"]).exit_code == 0  # the team's committed output
    shutil.rmtree(team / ".rosec")  # a fresh clone has no local state
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=120)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env |= {"PATH": f"{venv / 'bin'}{os.pathsep}{env['PATH']}", "VIRTUAL_ENV": str(venv),
            "PIP_NO_COMPILE": "0",  # pip reads "0" as --no-compile: a faster install, nothing else changes
            "PIP_DISABLE_PIP_VERSION_CHECK": "1"}

    snippet = ci_snippet().replace(PLACEHOLDER, str(source))
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", snippet], cwd=team, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "generated/minimal is up to date with rose.yaml" in done.stdout
    assert shutil.which("rosec", path=str(venv / "bin")), "the wheel installs no rosec command"

    ran = subprocess.run(["rosec", "run", "rose.yaml"], cwd=team, env=env, capture_output=True, text=True,
                         timeout=120)
    assert ran.returncode == 1
    assert ran.stdout == ""
    lines = ran.stderr.splitlines()
    assert len(lines) == 1, ran.stderr
    assert lines[0].startswith("rosec run: the services need rosec's `services` extra")
    assert "pip install 'rosec[services]'" in lines[0]
    assert "fastapi" in lines[0] and "uvicorn" in lines[0]
