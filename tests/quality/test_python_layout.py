"""rosec.targets.services.python_layout against the real ruff: every shape of long line the templates write, laid
out, is what `ruff format` keeps, has no line ruff's E501 reports, and means what the one-line form meant (the same
syntax tree; docstrings may differ in their line breaks only)."""

from __future__ import annotations

import ast
import random
import re
from pathlib import Path

import pytest
from conftest import ROOT

from quality.tools import PIP_HINT, executable, report, run
from rosec.model.length_checks import MAX_IDENTIFIER
from rosec.targets.services.python_layout import LINE_LENGTH, _string_parts, lay_out, lay_out_code_line
from rosec.targets.services.python_literals import literal_measure, py_str, py_str_length
from rosec.targets.services.templating import py_doc

NAME = "status_of_the_shipment_tracking_between_the_distribution_centres_and_the_borders"  # MAX_IDENTIFIER: 80
TYPE = "ShipmentTrackingStatusWithAVeryLongDescriptiveEnumerationNameForTheBorderAuthorit"[:63]
TEXT = 'A "quoted" remark with a backslash \\ and ünïcödé that goes on past the width of any line of code, ' * 2
URL = "https://example.com/" + "segment-" * 20

# Each entry is one statement as a template writes it (on one line), inside a function or class when indented.
LINES = [
    f"def to_pb_{NAME}(value: models.{TYPE}, where: str = {py_str(TYPE)}) -> pb.{TYPE}:",
    f"async def {NAME}(self, request: {TYPE}, *, timeout: float | None = None) -> AsyncIterator[models.{TYPE}]:",
    f"    return _{NAME.upper()}[models.{TYPE}(value).value]",
    f"    raise ConversionError(f\"{{where}}: {{number}} is not a valid {TYPE}\")",
    f"    return pb.{TYPE}({NAME}=_decimal(message.{NAME}, \"{TYPE}.{NAME}\"), other=[to_pb_x(item) for item in "
    f"model.{NAME}], third={{k: from_pb_{NAME}(v, \"{TYPE}.{NAME}[]\") for k, v in message.{NAME}.items()}}, "
    f"fourth=from_pb_{NAME}(message.{NAME}) if message.HasField(\"{NAME}\") else None)",
    f"_{NAME.upper()}_BY_NUMBER: dict[int, str] = {{number: value for value, number in _{NAME.upper()}.items()}}",
    f"    {NAME}: Annotated[{TYPE} | None, Field(alias=\"{NAME}\")] = None",
    f"    {NAME}: dict[str, list[{TYPE}]] | None = None",
    f"    {NAME}: {TYPE}",
    f"    {NAME} = {py_str(NAME)}",
    f"    {NAME}: str = field(repr=False)  # {NAME.upper()} and a comment that is long enough to move",
    f"    return await _handlers.{NAME}({NAME}, {NAME}, _context(_principal))",
    f"    response = await self.http.request(\"GET\", f\"/{URL}/{{_segment({NAME})}}\", params={{\"{NAME}\": "
    f"_query({NAME}), \"b\": _query(b)}})",
    f"    self._{NAME} = broker.publisher(\"customs.declaration.submitted.to.the.border\", {TYPE})",
    f"    async for response in handler({NAME}, self._context(), {NAME}):",
    f"for _model in ({TYPE}, {TYPE}, {TYPE}):",
    f"METHOD_POLICIES = {{f\"/{{SERVICE_NAME}}/{TYPE}\": ((\"{NAME}\", \"{NAME}\"), False)}}",
    f"    x = settings.get(\"{NAME.upper()}\", {py_str(TEXT + URL + ' ' + TEXT)})",
    f"    app = FastAPI(title={py_str(TEXT)}, summary={py_str(TEXT)}, version=\"1.0.0\")",
    f"    x: Publisher[{TYPE}] = broker.publisher({py_str(NAME)}, {TYPE})",
    f"    \"\"\"{py_doc(TEXT + URL + ' ' + TEXT)}\"\"\"",
    f"# {TEXT}{URL} {TEXT}",
]


def source(lines: list[str]) -> str:
    """The lines as a module: each indented line in a function of its own."""
    parts = []
    for i, line in enumerate(lines):
        indent = len(line) - len(line.lstrip())
        body = f"{line}\n{' ' * (indent + 4)}pass\n" if line.endswith(":") else f"{line}\n"
        docstring = "" if line.lstrip().startswith('"""') else f'    """Case {i}."""\n'
        parts.append(f"async def case_{i}() -> None:\n{docstring}{body}" if indent else body)
    return "\n\n".join(parts)


def tree(text: str) -> str:
    """The syntax tree, with the whitespace of docstrings normalized (wrapping changes only that)."""
    module = ast.parse(text)
    for node in ast.walk(module):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                value.value = " ".join(value.value.split())
    return ast.dump(module)


assert len(NAME) == MAX_IDENTIFIER


@pytest.fixture(scope="module")
def laid_out(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    text = source(LINES)
    assert any(len(line) > LINE_LENGTH for line in text.split("\n"))
    result = lay_out(text)
    path = tmp_path_factory.mktemp("layout") / "laid_out.py"
    path.write_text(result, "utf-8")
    return result, path


def test_layout_means_what_the_one_line_form_means(laid_out: tuple[str, Path]) -> None:
    assert tree(laid_out[0]) == tree(source(LINES))


def test_layout_is_what_ruff_format_keeps(laid_out: tuple[str, Path]) -> None:
    ruff = executable("ruff", PIP_HINT)
    result = run([ruff, "format", "--check", "--diff", "--no-cache", "--config", str(ROOT / "pyproject.toml"),
                  str(laid_out[1])])
    assert result.returncode == 0, report(result)


def test_layout_leaves_no_line_too_long(laid_out: tuple[str, Path]) -> None:
    ruff = executable("ruff", PIP_HINT)
    result = run([ruff, "check", "--select", "E501,W291,W293", "--no-cache", "--config", str(ROOT / "pyproject.toml"),
                  "--output-format", "concise", str(laid_out[1])])
    assert result.returncode == 0, report(result)


def test_layout_of_laid_out_code_changes_nothing(laid_out: tuple[str, Path]) -> None:
    assert lay_out(laid_out[0]) == laid_out[0]


@pytest.mark.parametrize("line", [line for line in LINES if not line.lstrip().startswith(('"""', "#"))])
def test_a_code_line_is_laid_out_alone_as_in_its_module(line: str) -> None:
    """lay_out_code_line, for the lines a generator knows may be long, without the scan of the whole module."""
    module = source([line])
    alone = lay_out_code_line(line)
    assert alone != line
    assert lay_out(module) == module.replace(line, alone)
    short = line[:LINE_LENGTH].rstrip()
    assert lay_out_code_line(short) is short


def test_only_long_lines_change() -> None:
    short = "def f(a: int) -> int:\n    return g(a, b=1)  # a comment\n"
    assert lay_out(short) is short
    multi_line_string = 'x = """\n' + "text " * 30 + '\n"""\n'
    assert lay_out(multi_line_string) == multi_line_string  # a value, not a docstring: never wrapped


@pytest.mark.parametrize("value", ["plain", 'say "hi"', "it's", 'it\'s "x"', '"\'"', "a \\ b\n\tc", "ünïcödé"])
def test_py_str_quotes_as_ruff_format_does(value: str) -> None:
    literal = py_str(value)
    assert ast.literal_eval(literal) == value
    doubles, singles = value.count('"'), value.count("'")
    assert literal[0] == ("'" if doubles > singles else '"')
    assert not re.search(r"\\'" if literal[0] == '"' else r'\\"', literal)  # no escape the other quotes avoid


PIECES = ["word", " ", "  ", '"', "'", "\\", "\n", "\t", "ü", "中", "😀", "x" * 90, "-", "a'b", 'c"d']


def random_texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 60))) for _ in range(count)]


def test_the_length_of_a_literal_adds_up_over_its_pieces() -> None:
    rng = random.Random(20261205)
    for text in random_texts(1, 400):
        cuts = sorted(rng.sample(range(len(text) + 1), min(3, len(text) + 1)))
        pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
        sums = [sum(measure) for measure in zip(*map(literal_measure, pieces), strict=True)]
        assert py_str_length(*sums) == len(py_str(text)), text


def _string_parts_by_making_literals(value: str, indent: int) -> list[str]:
    """What _string_parts did before it measured literals instead of making them for every word."""
    width = LINE_LENGTH - indent
    parts = [""]
    for token in re.findall(r" +|[^ ]+", value):
        alone = len(py_str(parts[-1])) > width
        if parts[-1] and (alone or len(py_str(parts[-1] + token)) > width):
            parts.append("")
        parts[-1] += token
    return [" " * indent + py_str(part) for part in parts]


@pytest.mark.parametrize("indent", [0, 8, 40, 110])
def test_a_long_string_is_cut_where_making_its_literals_cut_it(indent: int) -> None:
    """With characters to escape and without (where the parts are filled by their lengths alone)."""
    texts = random_texts(indent, 200)
    plain = [text.translate({ord(c): None for c in '"\\\n\t'}) for text in texts]
    assert sum(len(py_str(text)) == len(text) + 2 for text in plain) > 150
    for text in texts + plain + ["", " ", "x" * 200, " " * 200]:
        assert _string_parts(text, indent) == _string_parts_by_making_literals(text, indent), text
