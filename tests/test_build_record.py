"""An unchanged `rosec build` renders nothing and touches no file; anything that changed makes it build for real."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES
from test_transaction import dies_on_call
from test_writer import states

from rosec import building, pipeline
from rosec.cli import main
from rosec.emit import record as record_module


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user's repository (a pyproject.toml marks its root) holding the minimal example, built once."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'team'\n")
    shutil.copy(EXAMPLES / "minimal" / "rose.yaml", tmp_path / "rose.yaml")
    monkeypatch.chdir(tmp_path)
    code, out, err = rosec("build", "rose.yaml")
    assert code == 0, out + err
    return tmp_path


@pytest.fixture
def no_render(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything loads or renders the spec."""
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("the spec was loaded or rendered")

    monkeypatch.setattr(building, "load_system", forbidden)
    monkeypatch.setattr(building, "compile_spec", forbidden)
    monkeypatch.setattr(pipeline, "render", forbidden)


def rosec(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def owned_files(project: Path) -> int:
    """How many files rosec owns in the minimal example's output (its manifest's entries)."""
    manifest = json.loads((project / "generated" / "minimal" / ".rosec-manifest.json").read_text("utf-8"))
    return len(manifest["files"])


def project_states(project: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file and directory of the project but rosec's local state."""
    return {p: s for p, s in states(project).items() if not p.startswith(".rosec")}


def test_an_unchanged_build_renders_nothing_and_touches_nothing(project: Path, no_render: None) -> None:
    before = states(project)
    code, out, _ = rosec("build", "rose.yaml")
    assert code == 0
    assert out.startswith(f"generated/minimal is up to date ({owned_files(project)} files; nothing written)")
    assert states(project) == before, "a file or directory of the project (or the build record) changed"


def test_check_uses_the_record_too(project: Path, no_render: None) -> None:
    code, out, _ = rosec("check", "rose.yaml")
    assert (code, out.strip()) == (0, "generated/minimal is up to date with rose.yaml")


def test_the_warnings_of_the_handlers_come_back_without_a_render(project: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    spec = project / "rose.yaml"
    spec.write_text(spec.read_text().replace('"/hello/{name}"', '"/greet/{name}"'))
    code, _, err = rosec("build", "rose.yaml")
    assert code == 0 and "missing handler get_greet_by_name" in err
    no_render_again(monkeypatch)
    code, _, err = rosec("build", "rose.yaml")
    assert code == 0 and "missing handler get_greet_by_name" in err


def no_render_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(building, "load_system", lambda *a: pytest.fail("loaded"))
    monkeypatch.setattr(pipeline, "render", lambda *a: pytest.fail("rendered"))


def test_a_deleted_handler_module_is_scaffolded_again_without_a_render(project: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "render", lambda *a: pytest.fail("rendered"))
    handlers = project / "services" / "minimal" / "hello" / "handlers.py"
    handlers.unlink()
    code, out, _ = rosec("build", "rose.yaml")
    assert code == 0
    assert f"scaffolded {Path('services/minimal/hello/handlers.py')}" in out
    assert handlers.exists()


@pytest.mark.parametrize("change", ["spec", "hand edit", "deleted file", "extra file", "manifest", "code",
                                    "interrupted"])
def test_any_change_makes_the_build_real(project: Path, monkeypatch: pytest.MonkeyPatch, change: str) -> None:
    out_dir = project / "generated" / "minimal"
    rendered: list[object] = []
    real_render = pipeline.render
    monkeypatch.setattr(pipeline, "render", lambda *args: rendered.append(1) or real_render(*args))
    if change == "spec":
        (project / "rose.yaml").write_text((project / "rose.yaml").read_text() + "# a comment\n")
    elif change == "hand edit":
        (out_dir / "compose.yaml").write_text("edited\n")
    elif change == "deleted file":
        (out_dir / "compose.yaml").unlink()
    elif change == "extra file":
        (out_dir / "notes.md").write_text("mine\n")
    elif change == "manifest":
        (out_dir / ".rosec-manifest.json").write_text("{}\n")
    elif change == "code":
        monkeypatch.setattr(building, "code_fingerprint", lambda: "another rosec")
    else:
        (out_dir / ".rosec-txn").mkdir()
    rosec("build", "rose.yaml")
    assert rendered, f"after a {change} the build trusted its record"


def test_a_deleted_generated_file_is_written_back_alone(project: Path) -> None:
    compose = project / "generated" / "minimal" / "compose.yaml"
    content = compose.read_bytes()
    compose.unlink()
    before = project_states(project)
    code, out, _ = rosec("build", "rose.yaml")
    assert code == 0
    assert f"updated generated/minimal: 1 written, 0 removed, {owned_files(project) - 1} unchanged" in out
    after = project_states(project)
    assert compose.read_bytes() == content
    assert {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)} == \
        {"generated/minimal/compose.yaml"}


def test_one_changed_endpoint_rewrites_only_what_it_changes(project: Path) -> None:
    spec = project / "rose.yaml"
    old = pipeline.render(pipeline.load_system(spec)).files
    before = project_states(project)
    spec.write_text(spec.read_text().replace("response: Greeting,", "response: Greeting, summary: Greet someone,"))
    new = pipeline.render(pipeline.load_system(spec)).files
    differing = {p for p in old.keys() | new.keys() if old.get(p) != new.get(p)}
    assert 0 < len(differing) < len(new) / 4, "the change should alter a few files"
    code, out, _ = rosec("build", "rose.yaml")
    assert code == 0, out
    after = project_states(project)
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    assert changed == {f"generated/minimal/{p}" for p in differing} | {"generated/minimal/.rosec-manifest.json",
                                                                       "rose.yaml"}
    assert f"updated generated/minimal: {len(differing)} written, 0 removed" in out


def test_a_fresh_clone_renders_once_writes_nothing_then_records(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.rmtree(project / ".rosec")
    before = project_states(project)
    code, out, _ = rosec("build", "rose.yaml")
    assert (code, out.splitlines()[0]) == (
        0, f"generated/minimal is up to date ({owned_files(project)} files; nothing written)")
    assert project_states(project) == before
    assert list((project / ".rosec" / "build").glob("*.json")), "no build record"
    no_render_again(monkeypatch)
    assert rosec("build", "rose.yaml")[0] == 0


CRASHING_BUILD = "\n".join(["from rosec.emit import transaction", "from rosec.cli import main",
                            dies_on_call(1, "transaction._apply_operation"), "main(['build', 'rose.yaml'])"])


def test_a_build_that_dies_half_way_fails_check_until_the_next_build(project: Path) -> None:
    spec = project / "rose.yaml"
    spec.write_text(spec.read_text().replace("response: Greeting,", "response: Greeting, summary: Greet someone,"))
    died = subprocess.run([sys.executable, "-c", CRASHING_BUILD], cwd=project, capture_output=True, text=True,
                          timeout=120)
    assert died.returncode == 9, died.stderr
    code, _, err = rosec("check", "rose.yaml")
    assert code == 1
    assert err.startswith(f"interrupted: {Path('generated/minimal/.rosec-txn')} (a build died while writing")
    code, out, _ = rosec("build", "rose.yaml")
    assert code == 0
    assert out.splitlines()[0] == "undid 1 change(s) of an interrupted build in generated/minimal"
    assert rosec("check", "rose.yaml")[0] == 0


def build_record(project: Path) -> dict[str, object]:
    (path,) = (project / ".rosec" / "build").glob("*.json")
    record: dict[str, object] = json.loads(path.read_text("utf-8"))
    return record


def older_than_the_manifest(project: Path) -> None:
    """Make every output file older than the manifest (whose bytes stay the same), then let a no-op build take
    the stats of them all."""
    manifest = project / "generated" / "minimal" / ".rosec-manifest.json"
    time.sleep(0.05)  # past the tick of the file system's clock in which the build wrote
    manifest.write_bytes(manifest.read_bytes())
    code, out, _ = rosec("build", "rose.yaml")
    assert code == 0 and "is up to date" in out
    assert build_record(project)["racy"] == []


def same_size_edit(path: Path) -> None:
    """Change one byte of the file and give it back its mtime: only its ctime and content tell."""
    info = path.stat()
    content = bytearray(path.read_bytes())
    content[-2] = ord("x") if content[-2] != ord("x") else ord("y")
    path.write_bytes(bytes(content))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_size == info.st_size


def test_an_unchanged_output_is_proven_by_stats_without_reading(project: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    older_than_the_manifest(project)
    read: list[str] = []
    hashes_match = record_module._hashes_match
    monkeypatch.setattr(record_module, "_hashes_match",
                        lambda out_dir, manifest, paths: read.extend(paths) or hashes_match(out_dir, manifest, paths))
    no_render_again(monkeypatch)
    code, out, _ = rosec("build", "rose.yaml")
    assert code == 0 and "is up to date" in out
    assert read == []


def test_an_edit_that_keeps_size_and_mtime_is_found(project: Path) -> None:
    older_than_the_manifest(project)
    same_size_edit(project / "generated" / "minimal" / "compose.yaml")
    code, out, err = rosec("check", "rose.yaml")
    assert code == 1 and "hand-edited: " in out + err and "compose.yaml" in out + err


def test_a_racily_clean_file_is_compared_by_content(project: Path) -> None:
    older_than_the_manifest(project)
    compose = project / "generated" / "minimal" / "compose.yaml"
    compose.write_bytes(compose.read_bytes())  # same bytes, a ctime newer than the manifest's
    code, out, _ = rosec("build", "rose.yaml")
    assert code == 0 and "is up to date" in out
    assert build_record(project)["racy"] == ["compose.yaml"]
    same_size_edit(compose)
    code, out, err = rosec("check", "rose.yaml")
    assert code == 1 and "hand-edited: " in out + err and "compose.yaml" in out + err


def test_the_stats_a_new_output_was_written_with_are_the_stats_on_disk(tmp_path: Path) -> None:
    """The record of a build from nothing keeps the stats the writer took as it wrote (no stat call per file):
    they must be those that a later build compares with."""
    from rosec.emit import writer
    from rosec.emit.files import FileTree

    tree = FileTree()
    for i in range(40):  # enough for the writer threads
        tree.add("t", f"d{i % 3}/sub{i % 2}/f{i}.txt", f"{i}\n".encode())
    out = tmp_path / "out"
    result = writer.write(out, tree, "sys", "rose.yaml")
    assert set(result.stats) == set(tree.files), "a stat for every file written"
    time.sleep(0.05)  # past the file system clock's tick: rewriting the manifest makes every file older than it
    (out / ".rosec-manifest.json").write_bytes(result.manifest)
    from_writer = record_module.output_snapshot(out, result.manifest, result.stats)
    assert from_writer == record_module.output_snapshot(out, result.manifest)
    assert from_writer[1] == [], "no file is as new as the manifest: the digest covers every file's stats"
