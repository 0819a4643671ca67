"""The project root: where handlers, the default output and local state go, whatever the working directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, ROOT

from rosec import run_plan
from rosec.cli import main
from rosec.pipeline import load_system
from rosec.project import find_project_root, project_root


def rosec(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout + result.stderr


def files_under(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*"))
            if p.is_file() and ".rosec" not in p.parts}


@pytest.mark.parametrize("marker", ["pyproject.toml", ".git"])
def test_the_root_is_the_nearest_ancestor_with_a_marker(tmp_path: Path, marker: str) -> None:
    (tmp_path / "repo" / "platform" / "specs").mkdir(parents=True)
    (tmp_path / "repo" / marker).write_text("")  # a file: a git worktree's .git is one
    spec = tmp_path / "repo" / "platform" / "specs" / "rose.yaml"
    assert find_project_root(spec) == tmp_path / "repo"
    (tmp_path / "repo" / "platform" / "pyproject.toml").write_text("")
    assert find_project_root(spec) == tmp_path / "repo" / "platform"


def test_without_a_marker_the_root_is_the_specs_directory(tmp_path: Path) -> None:
    if any((d / m).exists() for d in tmp_path.parents for m in ("pyproject.toml", ".git")):
        pytest.fail(f"a project marker above {tmp_path} makes this test meaningless")
    assert find_project_root(tmp_path / "rose.yaml") == tmp_path
    assert project_root(tmp_path / "rose.yaml", tmp_path / "elsewhere") == tmp_path / "elsewhere"


def test_this_repository_is_the_root_of_its_examples() -> None:
    assert find_project_root(EXAMPLES / "shop" / "rose.yaml") == ROOT


@pytest.fixture
def team(tmp_path: Path) -> Path:
    """A directory holding a team repository (pyproject.toml at the top, the spec in specs/) and an unrelated
    directory beside it."""
    top = tmp_path / "first"
    (top / "team" / "specs").mkdir(parents=True)
    (top / "team" / "pyproject.toml").write_text("[project]\nname = 'team'\n")
    shutil.copy(EXAMPLES / "minimal" / "rose.yaml", top / "team" / "specs" / "rose.yaml")
    (top / "elsewhere").mkdir()
    return top


@pytest.mark.parametrize("cwd, spec", [("team", "specs/rose.yaml"), ("team/specs", "rose.yaml"),
                                       ("elsewhere", "../team/specs/rose.yaml")])
def test_build_gives_the_same_files_in_the_same_places_from_any_directory(
        team: Path, monkeypatch: pytest.MonkeyPatch, cwd: str, spec: str) -> None:
    monkeypatch.chdir(team / cwd)
    code, output = rosec("build", spec)
    assert code == 0, output
    built = files_under(team)
    assert {p for p in built if not p.startswith("team/specs/")} >= {
        "team/generated/minimal/compose.yaml", "team/generated/minimal/.rosec-manifest.json",
        "team/services/minimal/hello/handlers.py"}
    assert not any(p.startswith(("elsewhere/", "team/specs/generated", "team/specs/services")) for p in built)
    code, output = rosec("check", spec)
    assert code == 0 and "is up to date" in output, output


def test_two_working_directories_build_identical_trees(team: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    second = tmp_path / "second"
    shutil.copytree(team, second)
    monkeypatch.chdir(team / "team")
    assert rosec("build", "specs/rose.yaml")[0] == 0
    monkeypatch.chdir(second / "elsewhere")
    assert rosec("build", "../team/specs/rose.yaml")[0] == 0
    assert files_under(team) == files_under(second)
    assert "team/generated/minimal/compose.yaml" in files_under(second)


def test_project_root_option_moves_handlers_and_default_output(team: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(team / "elsewhere")
    code, output = rosec("build", "../team/specs/rose.yaml", "--project-root", ".")
    assert code == 0, output
    assert (team / "elsewhere" / "generated" / "minimal" / "compose.yaml").exists()
    assert (team / "elsewhere" / "services" / "minimal" / "hello" / "handlers.py").exists()
    assert not (team / "team" / "generated").exists()


def test_run_plans_the_same_processes_from_any_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    spec = EXAMPLES / "minimal" / "rose.yaml"
    system = load_system(spec)
    plans = []
    for cwd in (ROOT, tmp_path):
        monkeypatch.chdir(cwd)
        plans.append(run_plan.plan(system, project_root(spec)))
    assert plans[0] == plans[1]
    assert plans[0][0].cwd == ROOT
    assert plans[0][0].env["PYTHONPATH"].split(":") == [str(ROOT / "generated/minimal/services"),
                                                        str(ROOT / "services/minimal/hello")]
