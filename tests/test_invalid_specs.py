"""The invalid-spec corpus: every mistake is reported as FILE:LINE:COL: path: message with a hint.

Each case is one file in tests/invalid/: `<case>.yaml` (or `<case>.bin` for bytes that are not
UTF-8), a copy of tests/valid/demo.yaml with one mistake, and `<case>.expected`: exactly what
`rosec validate rose.yaml` prints on stderr. Adding a case is adding those two files; write the
expected text by hand, or run the test once and check every line:col, path, message and hint in
the printed output before saving it — never snapshot blindly. A `warn-*` case holds warnings only:
validate and build pass, and fail with --strict.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import EXAMPLES, example_specs

from rosec.cli import STRICT_FAILURE, main
from rosec.diagnostics import Diagnostic, SpecError, only_errors, render_text
from rosec.pipeline import diagnose, load_system

HERE = Path(__file__).resolve().parent
INVALID = HERE / "invalid"
VALID = sorted((HERE / "valid").glob("*.yaml"))
CASES = sorted(p for p in INVALID.iterdir() if p.suffix in (".yaml", ".bin"))
WARNINGS_ONLY = [c for c in CASES if c.stem.startswith("warn-")]
MULTIPLE = ["many-schema-mistakes", "many-semantic-mistakes", "many-schema-and-semantic-mistakes"]
JSON_KEYS = {"file", "line", "column", "path", "severity", "message", "hint"}


def case_id(case: Path) -> str:
    return case.stem


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def place(case: Path, directory: Path) -> Path:
    """Copy the case to directory/rose.yaml so that diagnostics name the file rose.yaml."""
    shutil.copyfile(case, directory / "rose.yaml")
    return Path("rose.yaml")


def expected_text(case: Path, actual: str) -> str:
    expected = case.with_suffix(".expected")
    if not expected.exists():
        pytest.fail(f"{expected.name} is missing. Check every line of the actual output, then save it:\n{actual}")
    return expected.read_text("utf-8")


def run_cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=True)


def strict(case: Path) -> list[str]:
    """The option that makes the case fail: --strict for a case that has only warnings."""
    return ["--strict"] if case in WARNINGS_ONLY else []


def assert_clean_exit_1(result: Result) -> None:
    """Exit status 1 from sys.exit, never from an exception escaping the command."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() if p.is_file() else b"<dir>"
            for p in sorted(directory.rglob("*"))}


# -- the corpus ------------------------------------------------------------------------------
def test_corpus_is_complete() -> None:
    assert len(CASES) >= 100
    orphans = [p.name for p in INVALID.glob("*.expected") if not any(c.stem == p.stem for c in CASES)]
    assert orphans == [], "expected files without a case"
    assert len({c.stem for c in CASES}) == len(CASES), "two cases with the same name"


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_case_reports_expected_diagnostics(case: Path, in_tmp: Path) -> None:
    diagnostics = diagnose(place(case, in_tmp))
    rendered = render_text(diagnostics) + "\n"
    assert diagnostics, f"{case.name} is a valid spec"
    assert rendered == expected_text(case, rendered)
    assert bool(only_errors(diagnostics)) != (case in WARNINGS_ONLY), "warn-* cases hold warnings only"
    for d in diagnostics:
        assert d.file == "rose.yaml"
        assert d.line >= 1 and d.column >= 1
        assert d.message and d.hint, f"every diagnostic needs a message and a hint: {d.render()}"


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_validate_cli_prints_diagnostics_and_exits_1(case: Path, in_tmp: Path) -> None:
    spec = str(place(case, in_tmp))
    result = run_cli("validate", *strict(case), spec)
    assert_clean_exit_1(result)
    assert result.stdout == ""
    expected = expected_text(case, result.stderr)
    if case in WARNINGS_ONLY:
        expected = expected.removesuffix("\n") + STRICT_FAILURE + "\n"
    assert result.stderr == expected


@pytest.mark.parametrize("case", WARNINGS_ONLY, ids=case_id)
def test_warnings_alone_pass_validate_and_build(case: Path, in_tmp: Path) -> None:
    spec = str(place(case, in_tmp))
    result = run_cli("validate", spec)
    assert (result.exit_code, result.stderr) == (0, expected_text(case, result.stderr))
    assert result.stdout.startswith(f"{spec}: ok (") and "warning" in result.stdout
    built = run_cli("build", spec, "-o", "out", "--target", "compose")
    assert built.exit_code == 0, built.output
    assert built.stderr == expected_text(case, built.stderr)
    assert (in_tmp / "out" / "compose.yaml").is_file()


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_validate_json_lists_the_same_diagnostics(case: Path, in_tmp: Path) -> None:
    spec = place(case, in_tmp)
    result = run_cli("validate", "--format", "json", *strict(case), str(spec))
    assert_clean_exit_1(result)
    listed = json.loads(result.stdout)
    assert listed == [asdict(d) for d in diagnose(spec)]
    assert all(set(item) == JSON_KEYS for item in listed)
    assert {item["severity"] for item in listed} <= {"error", "warning"}
    rendered = render_text(Diagnostic(**item) for item in listed) + "\n"
    assert rendered == expected_text(case, rendered)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_build_of_invalid_spec_writes_nothing(case: Path, in_tmp: Path) -> None:
    spec = place(case, in_tmp)
    earlier = in_tmp / "generated" / "demo" / "compose.yaml"
    earlier.parent.mkdir(parents=True)
    earlier.write_text("# an earlier build\n")
    before = snapshot(in_tmp)
    assert_clean_exit_1(run_cli("build", *strict(case), str(spec)))
    assert_clean_exit_1(run_cli("build", *strict(case), str(spec), "-o", "out"))
    assert_clean_exit_1(run_cli("check", *strict(case), str(spec)))
    assert snapshot(in_tmp) == before


# -- several mistakes at once ------------------------------------------------------------------
@pytest.mark.parametrize("name", MULTIPLE)
def test_all_mistakes_are_reported_at_once_in_file_order(name: str, in_tmp: Path) -> None:
    diagnostics = diagnose(place(INVALID / f"{name}.yaml", in_tmp))
    assert len(diagnostics) >= 3
    assert len({d.path for d in diagnostics}) == len(diagnostics), "one diagnostic per mistake"
    positions = [(d.line, d.column) for d in diagnostics]
    assert positions == sorted(positions)
    assert len(set(positions)) == len(positions)


def test_schema_mistakes_do_not_hide_semantic_ones(in_tmp: Path) -> None:
    """Each mistake of the case is tagged on its line: S1-S10 (schema) and M1-M13 (semantic)."""
    case = INVALID / "many-schema-and-semantic-mistakes.yaml"
    tags: dict[int, list[str]] = {}
    for number, line in enumerate(case.read_text("utf-8").splitlines(), start=1):
        content, _, comment = line.partition("#")
        tags[number] = re.findall(r"\b([SM]\d+)\b", comment) if content.strip() else []
    tagged = sorted(tag for found in tags.values() for tag in found)
    assert tagged == sorted([f"S{i}" for i in range(1, 11)] + [f"M{i}" for i in range(1, 14)])
    diagnostics = diagnose(place(case, in_tmp))
    assert len(diagnostics) == 23 and not [d for d in diagnostics if not d.is_error]
    per_line = Counter(d.line for d in diagnostics)
    assert per_line == {line: len(found) for line, found in tags.items() if found}, "one diagnostic per tag"


def test_loading_and_schema_mistakes_are_reported_together(in_tmp: Path) -> None:
    text = (HERE / "valid" / "demo.yaml").read_text("utf-8")
    text = text.replace("  domain: demo.example.com", "  domain: demo.example.com\n  1: one\n  name: again")
    text = text.replace("hosting: compose", "hosting: compse").replace("rose: 1", "rose: 3")
    (in_tmp / "rose.yaml").write_text(text, "utf-8")
    messages = [d.message for d in diagnose(Path("rose.yaml"))]
    assert messages == [
        "unsupported language version 3",
        "mapping keys must be strings, got '1'",
        "duplicate key 'name' (first defined at line 4)",
        "invalid value 'compse': expected 'compose', 'kubernetes' or 'aws'",
    ]


# -- valid specs -------------------------------------------------------------------------------
@pytest.mark.parametrize("spec", [*example_specs(), *VALID], ids=lambda p: p.parent.name if p.name ==
                         "rose.yaml" else p.stem)
def test_valid_specs_have_no_diagnostics(spec: Path) -> None:
    assert diagnose(spec) == []


def test_examples_exist() -> None:
    assert (EXAMPLES / "shop" / "rose.yaml") in example_specs()


# -- no input ever produces a traceback ----------------------------------------------------------
def _mutate(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    kind = rng.randrange(7)
    i = rng.randrange(len(lines))
    if kind == 0:
        del lines[i]
    elif kind == 1:
        lines.insert(i, lines[rng.randrange(len(lines))])
    elif kind == 2 and len(lines[i]) > 2:
        j = rng.randrange(len(lines[i]) - 2)
        lines[i] = lines[i][:j] + lines[i][j + 1] + lines[i][j] + lines[i][j + 2:]
    elif kind == 3:
        j = rng.randrange(len(lines[i]))
        lines[i] = lines[i][:j] + rng.choice(" \t:-[]{}#&*!|>'\"%@`,?x1") + lines[i][j:]
    elif kind == 4:
        j = rng.randrange(len(lines[i]))
        lines[i] = lines[i][:j] + lines[i][j + 1:]
    elif kind == 5:
        lines[i] = " " * rng.randrange(1, 4) + lines[i]
    else:
        words = re.findall(r"[A-Za-z][\w.-]*", text)
        lines[i] = re.sub(r"[A-Za-z][\w.-]*", lambda _: rng.choice(words), lines[i], count=1)
    return "".join(lines)


def test_random_mutations_never_raise_anything_but_spec_errors(tmp_path: Path) -> None:
    original = (EXAMPLES / "shop" / "rose.yaml").read_text("utf-8")
    rng = random.Random(20261127)
    spec = tmp_path / "rose.yaml"
    outcomes = {"valid": 0, "invalid": 0}
    for _ in range(300):
        text = original
        for _ in range(rng.randrange(1, 4)):
            text = _mutate(text, rng)
        spec.write_text(text, "utf-8")
        try:
            load_system(spec)
        except SpecError as error:
            outcomes["invalid"] += 1
            line_count = text.count("\n") + 1
            assert error.diagnostics, text
            assert all(1 <= d.line <= line_count and d.column >= 1 for d in error.diagnostics), text
        else:
            outcomes["valid"] += 1
    assert outcomes["invalid"] > 100
