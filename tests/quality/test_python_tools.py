"""Generated Python passes ruff (the project's rules, pyproject [tool.ruff]; lint and `ruff format --check`) and
`mypy --strict` over each service's package, its handlers and rose_runtime. protoc's output (_pb2*) is excluded:
rosec does not write it."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT

from quality.tools import PIP_HINT, executable, report, run
from quality.trees import SPECS, SYNTHETIC, Tree

PROTOC_OUTPUT = "*_pb2*"


def ruff(*args: str) -> list[str]:
    return [executable("ruff", PIP_HINT), *args, "--no-cache", "--config", str(ROOT / "pyproject.toml"),
            "--extend-exclude", PROTOC_OUTPUT]


def python_roots(tree: Tree) -> list[str]:
    """The generated services dir, and the scaffolded handlers where rosec wrote them (the synthetic specs)."""
    roots = [str(tree.services_dir)]
    if tree.name in SYNTHETIC:
        roots.append(str(tree.handlers))
    return roots


def test_ruff_finds_nothing(tree: Tree) -> None:
    result = run([*ruff("check", "--output-format", "concise"), *python_roots(tree)])
    assert result.returncode == 0, report(result)


def test_ruff_format_leaves_the_code_as_it_is(tree: Tree) -> None:
    result = run([*ruff("format", "--check", "--diff"), *python_roots(tree)])
    assert result.returncode == 0, report(result)


# Strict, with two allowances for protoc's output (rosec does not write it): its _pb2_grpc modules have no
# annotations at all, and its _pb2.pyi stubs write `_Mapping` without type arguments (the dict a message field
# accepts), which --strict reports as type-arg errors in every stub with a message-typed field.
MYPY_CONFIG = """\
[mypy]
strict = True
warn_unreachable = True
"""


def mypy_config(tree: Tree, directory: Path) -> Path:
    def modules(suffix: str) -> list[str]:
        return sorted(".".join(p.relative_to(tree.services_dir).with_suffix("").parts) for p in tree.paths(suffix))

    sections = [f"\n[mypy-{module}]\nignore_errors = True\n" for module in modules("_pb2_grpc.py")]
    sections += [f"\n[mypy-{module}]\ndisable_error_code = type-arg\n" for module in modules("_pb2.pyi")]
    config = directory / "mypy.ini"
    config.write_text(MYPY_CONFIG + "".join(sections))
    return config


def service_params() -> list[tuple[str, str]]:
    from rosec.pipeline import load_system

    return [(name, s.name) for name, spec in sorted(SPECS.items()) for s in load_system(spec).services]


@pytest.fixture(scope="session")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy-cache")


@pytest.mark.parametrize(("tree_name", "service_name"), service_params())
def test_mypy_strict_accepts_service_handlers_and_runtime(tree_name: str, service_name: str, built_trees,
                                                         mypy_cache: Path, tmp_path: Path) -> None:
    tree: Tree = built_trees(tree_name)
    service = tree.system.service(service_name)
    handlers = tree.handlers / service.name
    assert (handlers / "handlers.py").exists(), f"no handlers for {service.name} in {handlers}"
    result = run([executable("mypy", PIP_HINT), "--config-file", str(mypy_config(tree, tmp_path)),
                  "--cache-dir", str(mypy_cache),
                  "-p", service.python_name, "-p", "rose_runtime", "-m", "handlers"],
                 cwd=tree.services_dir, env={"MYPYPATH": f"{tree.services_dir}:{handlers}"})
    assert result.returncode == 0, report(result)
