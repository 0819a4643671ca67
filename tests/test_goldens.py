"""generated/<example>/ is rosec's committed output: every build must reproduce it byte for byte."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GENERATED, ROOT, example_specs

from rosec.emit import writer
from rosec.pipeline import built_from, load_system, render


@pytest.mark.parametrize("spec", example_specs(), ids=lambda p: p.parent.name)
def test_example_output_matches_committed_goldens(spec: Path, request: pytest.FixtureRequest) -> None:
    spec_bytes = spec.read_bytes()
    system = load_system(spec, spec_bytes)
    golden = GENERATED / system.name
    tree = render(system)
    origin = {"system": system.name, "spec": system.spec_file, "built_from": built_from(None, spec_bytes)}
    if request.config.getoption("--update-goldens"):
        writer.write(golden, tree, force=True, **origin)
    drift = writer.compare(golden, tree, **origin)
    assert drift.clean, (
        "generated/ differs from what rosec produces:\n" + "\n".join(drift.lines(golden))
        + "\nreview the change, then run `pytest tests/test_goldens.py --update-goldens` (or `rosec build`)"
    )


def test_every_example_has_goldens_and_no_stray_output() -> None:
    systems = {load_system(spec).name for spec in example_specs()}
    assert systems, "no examples found"
    assert {p.name for p in GENERATED.iterdir() if p.is_dir()} == systems


def _build(out: Path, seed: str) -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    for spec in example_specs():
        subprocess.run([sys.executable, "-m", "rosec", "build", str(spec), "-o", str(out / spec.parent.name)],
                       check=True, cwd=ROOT, env=env, capture_output=True)
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.mark.long(seconds=15)
def test_output_is_identical_under_different_hash_seeds(tmp_path: Path) -> None:
    first = _build(tmp_path / "a", "0")
    second = _build(tmp_path / "b", "4242")
    assert first, "nothing was built"
    assert first == second


def test_generated_text_is_lf_with_final_newline() -> None:
    for path in GENERATED.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert b"\r\n" not in content, path
            assert content.endswith(b"\n"), path
