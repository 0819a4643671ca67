"""The command line as a user drives it: build, check, validate, schema, init, --version, --help."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, ROOT

from rosec import __version__
from rosec.cli import main
from rosec.schema import schema_bytes


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user's repository holding the minimal example, as the current directory."""
    shutil.copy(EXAMPLES / "minimal" / "rose.yaml", tmp_path / "rose.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_build_then_check_passes(project: Path) -> None:
    code, out, _ = run("build", "rose.yaml")
    assert code == 0, out
    assert (project / "generated" / "minimal" / "compose.yaml").exists()
    code, out, _ = run("check", "rose.yaml")
    assert code == 0
    assert "up to date" in out


def test_check_lists_every_kind_of_drift(project: Path) -> None:
    run("build", "rose.yaml")
    out_dir = project / "generated" / "minimal"
    compose = out_dir / "compose.yaml"
    compose.write_text(compose.read_text() + "# my edit\n")
    (out_dir / "stray.txt").write_text("x\n")
    (out_dir / ".env.example").unlink(missing_ok=True)
    spec = project / "rose.yaml"
    spec.write_text(spec.read_text().replace("/hello/{name}", "/greet/{name}"))
    code, _, err = run("check", "rose.yaml")
    assert code == 1
    assert f"hand-edited: {Path('generated/minimal/compose.yaml')}" in err
    assert f"extra: {Path('generated/minimal/stray.txt')}" in err
    assert f"missing: {Path('generated/minimal/.env.example')}" in err


def test_check_after_a_hand_edit_names_both_ways_out_and_each_works(project: Path) -> None:
    run("build", "rose.yaml")
    compose = project / "generated" / "minimal" / "compose.yaml"
    original = compose.read_bytes()
    compose.write_text("edited\n")
    code, _, err = run("check", "rose.yaml", "-o", "generated/minimal")
    assert code == 1
    assert "revert them" in err
    assert "`rosec build rose.yaml -o generated/minimal --force`" in err
    code, _, err = run("build", "rose.yaml", "-o", "generated/minimal")
    assert code == 1 and "refusing to overwrite" in err, "a plain build must refuse, as check says"
    compose.write_bytes(original)  # the first way out: revert
    assert run("check", "rose.yaml")[0] == 0
    compose.write_text("edited again\n")
    assert run("build", "rose.yaml", "-o", "generated/minimal", "--force")[0] == 0  # the second: discard
    assert compose.read_bytes() == original
    assert run("check", "rose.yaml")[0] == 0


def test_check_reports_stale_output_after_spec_change(project: Path) -> None:
    run("build", "rose.yaml")
    spec = project / "rose.yaml"
    spec.write_text(spec.read_text().replace("  hello:\n", "  hello:\n    port: 8200\n"))
    code, _, err = run("check", "rose.yaml")
    assert code == 1
    assert "stale: " in err
    assert err.rstrip().endswith("does not match rose.yaml; run `rosec build rose.yaml` and commit the result")


def test_check_fails_exactly_when_a_build_would_write_something(project: Path) -> None:
    """A comment in the spec changes no generated file, but the manifest records the spec's digest."""
    run("build", "rose.yaml")
    spec = project / "rose.yaml"
    spec.write_text(spec.read_text() + "# a comment\n")
    code, _, err = run("check", "rose.yaml")
    assert code == 1
    assert err.splitlines()[0] == f"stale: {Path('generated/minimal/.rosec-manifest.json')}"
    code, out, _ = run("build", "rose.yaml")
    assert (code, out.splitlines()[0]) == (0, "updated generated/minimal: its manifest only (what it was built "
                                              "from; no generated file changed)")
    assert run("check", "rose.yaml")[0] == 0


def test_build_refuses_hand_edits_without_force(project: Path) -> None:
    run("build", "rose.yaml")
    compose = project / "generated" / "minimal" / "compose.yaml"
    compose.write_text("edited\n")
    code, _, err = run("build", "rose.yaml")
    assert code == 1
    assert "hand-edited" in err and "--force" in err
    assert compose.read_text() == "edited\n"
    code, _, _ = run("build", "rose.yaml", "--force")
    assert code == 0
    assert compose.read_text() != "edited\n"


def test_build_with_output_and_target(project: Path) -> None:
    code, out, _ = run("build", "rose.yaml", "-o", "out", "--target", "compose")
    assert code == 0, out
    assert (project / "out" / "compose.yaml").exists()
    code, _, err = run("build", "rose.yaml", "--target", "nope")
    assert code == 2
    assert "unknown target" in err


def test_invalid_spec_builds_nothing(project: Path) -> None:
    (project / "rose.yaml").write_text("rose: 1\nsystem: {name: x}\n")
    code, _, err = run("build", "rose.yaml")
    assert code == 1
    assert "rose.yaml:2:1: error: system.domain: missing required field 'domain'" in err
    assert not (project / "generated").exists()


@pytest.mark.parametrize("command", ["validate", "build", "check", "run"])
def test_missing_spec_file_is_a_clean_error(project: Path, command: str) -> None:
    code, _, err = run(command, "nope.yaml")
    assert code == 1
    assert "nope.yaml:1:1: error: cannot read spec" in err
    assert not (project / "generated").exists()


def test_validate_text_and_json(project: Path) -> None:
    code, out, _ = run("validate", "rose.yaml")
    assert (code, out.strip()) == (0, "rose.yaml: ok")
    code, out, _ = run("validate", "rose.yaml", "--format", "json")
    assert (code, json.loads(out)) == (0, [])
    (project / "rose.yaml").write_text("rose: 1\nsystem: {name: x, domain: x.example.com}\nenvironments: {}\n")
    code, out, _ = run("validate", "rose.yaml", "--format", "json")
    assert code == 1
    found = json.loads(out)
    assert {d["message"] for d in found} == {"must not be empty",
                                             "missing required field 'services'"}
    assert all({"file", "line", "column", "severity", "message", "hint"} <= set(d) for d in found)


def test_warnings_are_reported_and_fail_only_with_strict(project: Path) -> None:
    spec = project / "rose.yaml"
    spec.write_text(spec.read_text("utf-8").replace(
        "messages:\n", "messages:\n  Unused: { fields: { id: uuid } }\n"), "utf-8")
    warning = "rose.yaml:16:3: warning: messages.Unused: message 'Unused' is not carried by any event"
    code, out, err = run("validate", "rose.yaml")
    assert (code, out) == (0, "rose.yaml: ok (1 warning)\n") and warning in err and err.endswith("\n1 warning\n")
    code, out, _ = run("validate", "--format", "json", "rose.yaml")
    assert code == 0 and [d["severity"] for d in json.loads(out)] == ["warning"]
    code, _, err = run("validate", "--strict", "rose.yaml")
    assert code == 1 and err.endswith("1 warning (--strict: warnings fail)\n")
    code, _, err = run("build", "--strict", "rose.yaml")
    assert code == 1 and warning in err
    assert not (project / "generated").exists(), "a strict build fails before writing anything"
    code, out, err = run("build", "rose.yaml")
    assert code == 0 and warning in err and "wrote" in out
    code, out, err = run("check", "rose.yaml")
    assert code == 0 and warning in err and "up to date" in out
    code, _, err = run("check", "--strict", "rose.yaml")
    assert code == 1 and warning in err


def test_schema_command_prints_the_published_schema() -> None:
    code, out, _ = run("schema")
    assert code == 0
    assert out.encode() == (ROOT / "schema" / "rose.schema.json").read_bytes()


def test_published_schema_is_not_stale() -> None:
    committed = (ROOT / "schema" / "rose.schema.json").read_bytes()
    assert committed == schema_bytes(), "schema/rose.schema.json is stale: run `rosec schema > schema/rose.schema.json`"


def test_init_writes_a_starter_that_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("init", "app")
    assert code == 0, out
    assert (tmp_path / "app" / "rose.schema.json").read_bytes() == schema_bytes()
    text = (tmp_path / "app" / "rose.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=rose.schema.json")
    code, out, _ = run("build", "--strict", "app/rose.yaml")
    assert code == 0, out  # without a warning either
    code, _, err = run("init", "app")
    assert code == 1
    assert "already exists" in err


def test_version_and_help() -> None:
    code, out, _ = run("--version")
    assert code == 0 and __version__ in out
    for command in ("build", "check", "validate", "schema", "init", "run", "targets"):
        code, out, _ = run(command, "--help")
        assert code == 0
        assert "Example" in out, f"`rosec {command} --help` shows no example"


def test_module_entry_point_runs() -> None:
    result = subprocess.run([sys.executable, "-m", "rosec", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0
    assert __version__ in result.stdout


def test_examples_carry_the_schema_modeline() -> None:
    for spec in EXAMPLES.glob("*/rose.yaml"):
        first = spec.read_text().splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../schema/rose.schema.json", spec


def test_help_summaries_are_whole_sentences_at_80_columns() -> None:
    result = CliRunner().invoke(main, ["--help"], terminal_width=80)
    commands = result.stdout.split("Commands:\n", 1)[1].splitlines()
    assert len(commands) == len(main.commands)
    for line in commands:
        assert line.rstrip().endswith(".") and not line.rstrip().endswith("..."), f"cut summary: {line.strip()}"


def test_targets_lists_each_target_with_what_it_writes() -> None:
    from rosec.targets import registered_targets

    code, out, _ = run("targets")
    assert code == 0
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == sorted(registered_targets())
    for line in lines:
        name, description = line.split(maxsplit=1)
        assert description == registered_targets()[name].description and len(description) > 20
    assert max(len(line) for line in lines) <= 100


def test_third_party_targets_are_described(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib.metadata import EntryPoint

    from rosec import targets

    (tmp_path / "plugin.py").write_text(textwrap.dedent('''
        from rosec.targets import Target

        def documented(system):
            """Kubernetes manifests, rendered by a plug-in.

            More text that `rosec targets` does not show."""
            return {}

        def bare(system):
            return {}

        described = Target(bare, "an explicit description")
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    plugin = {name: targets._plugin(EntryPoint(name, f"plugin:{name}", "rosec.targets"))
              for name in ("documented", "bare", "described")}
    assert plugin["documented"].description == "Kubernetes manifests, rendered by a plug-in."
    assert plugin["bare"].description == "third-party target (plugin:bare; it has no description)"
    assert plugin["described"].description == "an explicit description"
    assert plugin["bare"].render({}) == {}  # type: ignore[arg-type]
