"""Long lines of generated Python laid out the way `ruff format` keeps them, without running ruff.

Templates write a statement, an argument or a docstring on one line; `lay_out` re-lays every physical line
longer than LINE_LENGTH (the project's ruff `line-length`) and leaves the others as they are:

- code is split at its last bracket first, then at the brackets inside as far as needed: a bracket that does not
  fit holds one item per line with a trailing comma (a "magic" trailing comma: `ruff format` keeps such a bracket
  exploded); a one-element subscript or parenthesized expression holds its element on the line between the
  brackets; a comprehension puts its element and its `for` clause on lines of their own;
- a value that cannot be split so (a name, a conditional expression, a string) after `name=`, `key: ` or an
  annotation is put in parentheses on a line of its own, a string with spaces cut into implicitly concatenated
  parts; a trailing comment that does not fit goes on the line above;
- docstrings and comments are wrapped at spaces.

What cannot be split (one name longer than a line) stays as it is; rosec.model keeps the names short enough
(rosec.model.length_checks) that the lines holding them fit.
"""

from __future__ import annotations

import ast
import re
import textwrap
from bisect import bisect_right
from collections.abc import Callable
from functools import partial
from itertools import accumulate

from rosec.targets.services.python_literals import literal_measure, py_str, py_str_length
from rosec.targets.services.python_scan import (
    IN_STRING,
    bracket,
    comment_start,
    find_top_level,
    line_contexts,
    split_items,
)

LINE_LENGTH = 120  # the line length generated Python is formatted for: the project's ruff `line-length`
_KEYWORD_ARGUMENT = re.compile(r"(\*\*)?[A-Za-z_][A-Za-z0-9_]*=(?!=)")
_PRAGMA = re.compile(r"#\s*(type:|noqa|pragma)")
_STATEMENT_PREFIX = re.compile(r"(return await |return |await |raise |yield |(async )?for [^()\[\]{}]+? in |if |elif )")
_SIMPLE_TARGET = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*( = |: )")


def lay_out(source: str) -> str:
    """`source` with every line longer than LINE_LENGTH laid out as `ruff format` keeps it, where it can be."""
    lines = source.split("\n")
    if max(map(len, lines)) <= LINE_LENGTH:
        return source
    long_lines = [i for i, line in enumerate(lines) if len(line) > LINE_LENGTH]
    contexts = line_contexts(source, lines, long_lines)
    for i, (depth, context) in zip(reversed(long_lines), reversed(contexts), strict=True):
        if context == IN_STRING:
            continue
        laid_out = _wrap_text(lines[i], context) if context is not None else _lay_out_code(lines[i], depth)
        lines[i : i + 1] = laid_out
    return "\n".join(lines)


def lay_out_code_line(line: str) -> str:
    """One line of code, at the top level of its brackets and outside any string, laid out as `lay_out` lays it
    out in its module: for a line that the code writing it knows may be long. `lay_out` first finds the
    context of each long line in a scan of the whole module (1000 services: 2,500 modules, 0.3 s), and then
    finds nothing left to do."""
    if len(line) <= LINE_LENGTH:
        return line
    return "\n".join(_lay_out_code(line, 0))


# -- code -----------------------------------------------------------------------------------------------------
def _lay_out_code(line: str, depth: int) -> list[str]:
    indent = len(line) - len(line.lstrip())
    code = line.strip()
    if code.startswith("#"):
        return _wrap_text(line, indent, "# ")
    comment = comment_start(code)
    if comment > 0 and not _PRAGMA.match(code, comment):
        above = _wrap_text(" " * indent + code[comment:], indent, "# ")
        return above + _lay_out_code(" " * indent + code[:comment].rstrip(), depth)
    if depth > 0:  # an item of a bracket the template opened on an earlier line
        item, comma = (code[:-1], ",") if code.endswith(",") else (code, "")
        return _item(item, indent, comma)
    return _statement(code, indent)


def _statement(code: str, indent: int) -> list[str]:
    if code.startswith(("def ", "async def ")) and code.endswith(":"):
        group = bracket(code, first=True)
        if group is not None and code[group[0] + 1 : group[1]].strip():
            opening, closing = group
            return _split(code[: opening + 1], code[opening + 1 : closing], code[closing:], indent, code[:opening])
    match = _STATEMENT_PREFIX.match(code)
    if match:
        colon = ":" if code.endswith(":") and match.group(1).strip().endswith(("in", "if")) else ""
        return _expression(code[match.end() : len(code) - len(colon)], indent, match.group(1), colon)
    target = _SIMPLE_TARGET.match(code)
    if target and target.group(1) == ": ":
        return _annotated(code[: target.end()], code[target.end() :], indent, "")
    if target:
        return _value(code[target.end() :], indent, code[: target.end()], "")
    return _expression(code, indent, "", "")


def _item(item: str, indent: int, suffix: str) -> list[str]:
    """One item of a bracket: `name=value`, `key: value`, `name: annotation = default`, or an expression."""
    keyword = _KEYWORD_ARGUMENT.match(item)
    if keyword:
        return _value(item[keyword.end() :], indent, item[: keyword.end()], suffix)
    colon = find_top_level(item, ": ")
    if colon > 0 and not item.startswith("lambda"):
        key = item[: colon + 2]
        if re.fullmatch(r"\*?[A-Za-z_][A-Za-z0-9_]*: ", key):  # a parameter with its annotation
            return _annotated(key, item[colon + 2 :], indent, suffix)
        return _value(item[colon + 2 :], indent, key, suffix)
    if (_STRING.fullmatch(item) and " " in item) or find_top_level(item, " if ") > 0:  # parts on lines of their own
        return _value(item, indent, "", suffix)
    return _expression(item, indent, "", suffix)


def _annotated(name: str, rest: str, indent: int, suffix: str) -> list[str]:
    """`name: annotation` or `name: annotation = value`: the value's bracket first, then the annotation's."""
    equals = find_top_level(rest, " = ")
    annotation, default = (rest, "") if equals < 0 else (rest[:equals], rest[equals:])
    if default and bracket(default) and default.endswith(("}", "]", ")")):
        lines = _expression(default[3:], indent, name + annotation + " = ", suffix)
        if len(lines) > 1 and len(lines[0]) <= LINE_LENGTH:
            return lines
    return _value(annotation, indent, name, default + suffix)


def _value(value: str, indent: int, prefix: str, suffix: str) -> list[str]:
    """A value after `prefix` (`name=`, `key: `): split at its last bracket, else in parentheses of its own."""
    lines = _expression(value, indent, prefix, suffix)
    if len(lines[0]) <= LINE_LENGTH:
        return lines
    pad = " " * indent
    return [f"{pad}{prefix}(", *_parenthesized(value, indent + 4), f"{pad}){suffix}"]


def _expression(text: str, indent: int, prefix: str, suffix: str) -> list[str]:
    pad = " " * indent
    if len(pad) + len(prefix) + len(text) + len(suffix) <= LINE_LENGTH:
        return [pad + prefix + text + suffix]
    group = bracket(text)
    if group is not None and group[1] == len(text) - 1 and find_top_level(text, " if ") < 0:
        opening, closing = group
        if text[opening + 1 : closing].strip():
            head = prefix + text[: opening + 1]
            return _split(head, text[opening + 1 : closing], text[closing:] + suffix, indent, text[:opening])
    return [pad + prefix + text + suffix]


def _split(head: str, inner: str, tail: str, indent: int, before: str) -> list[str]:
    """`head` (ending with the opening bracket), the bracket's contents one level deeper, then `tail`; `before` is
    what precedes the bracket in its expression (a name for a call or subscript)."""
    items = split_items(inner)
    applied = before[-1:].isalnum() or before[-1:] in ("_", ")", "]")  # a call or a subscript, not a display
    if find_top_level(inner, " for ") > 0:
        body = _comprehension(inner.strip(), indent + 4)
    elif len(items) == 1 and not inner.rstrip().endswith(",") and (head[-1] == "[") == applied:
        # A one-element subscript or parenthesized expression: a trailing comma would make it a tuple.
        body = _parenthesized(items[0], indent + 4)
    else:
        body = _exploded(items, indent + 4)
    pad = " " * indent
    return [pad + head, *body, pad + tail]


def _exploded(items: list[str], indent: int) -> list[str]:
    return [line for item in items for line in _item(item, indent, ",")]


def _comprehension(inner: str, indent: int) -> list[str]:
    pad = " " * indent
    if len(pad) + len(inner) <= LINE_LENGTH:
        return [pad + inner]
    clause = find_top_level(inner, " for ")
    return [*_item(inner[:clause], indent, ""), *_expression(inner[clause + 1 :], indent, "", "")]


def _parenthesized(text: str, indent: int) -> list[str]:
    """An expression on the lines between parentheses: a conditional one part per line, a long string cut."""
    pad = " " * indent
    if len(pad) + len(text) <= LINE_LENGTH:
        return [pad + text]
    condition = find_top_level(text, " if ")
    otherwise = find_top_level(text, " else ", condition + 1) if condition > 0 else -1
    if otherwise > 0:
        return [*_expression(text[:condition], indent, "", ""),
                *_expression(text[condition + 1 : otherwise], indent, "", ""),
                *_expression(text[otherwise + 1 :], indent, "", "")]
    if _STRING.fullmatch(text) and " " in text:
        return _string_parts(ast.literal_eval(text), indent)
    return _expression(text, indent, "", "")


_STRING = re.compile(r"'(?:[^'\\]|\\.)*'" + r'|"(?:[^"\\]|\\.)*"')  # a plain string literal, either quotes


def _string_parts(value: str, indent: int) -> list[str]:
    """A string as implicitly concatenated literals that each fit, cut before a word that would not; a word longer
    than a line is a literal of its own (a line without spaces, which the linters let be long)."""
    tokens = re.findall(r" +|[^ ]+", value)
    if '"' not in value and len(py_str(value)) == len(value) + 2:  # nothing to escape: a part's literal is "part"
        ends = [0, *accumulate(map(len, tokens))]

        def length(first: int, last: int) -> int:
            return 2 + ends[last + 1] - ends[first]
    else:  # each literal_measure summed over the tokens before each token: a literal's length is measured, not made
        sums = [[0, *accumulate(measure)] for measure in zip(*map(literal_measure, tokens), strict=True)]

        def length(first: int, last: int) -> int:
            return py_str_length(*(running[last + 1] - running[first] for running in sums))
    return [" " * indent + py_str(part) for part in _filled(tokens, LINE_LENGTH - indent, length)]


def _filled(tokens: list[str], width: int, length: Callable[[int, int], int]) -> list[str]:
    """The tokens joined into parts whose literal is at most `width` long, each filled as far as the next token
    goes (a token longer than that is a part of its own). `length(first, last)`: the literal's length of tokens
    first..last, which never shrinks as last grows: a bisection per part, not a step per token (a description of
    4,000 characters has 1,400 tokens, and a service's modules repeat it)."""
    parts: list[str] = []
    first = 0
    while first < len(tokens):
        fitting = bisect_right(range(len(tokens)), width, lo=first, key=partial(length, first))
        last = max(fitting - 1, first)
        parts.append("".join(tokens[first : last + 1]))
        first = last + 1
    return parts or [""]


# -- text: docstrings and comments ----------------------------------------------------------------------------
def _wrap_text(line: str, indent: int, marker: str = "") -> list[str]:
    """A docstring or comment line wrapped at spaces; continuation lines at `indent`, behind `marker`."""
    own = len(line) - len(line.lstrip())
    text = line.strip()[len(marker) :] if marker else line.strip()
    first = " " * own + marker
    rest = " " * indent + marker
    wrapped = textwrap.wrap(text, LINE_LENGTH, initial_indent=first, subsequent_indent=rest,
                            break_long_words=False, break_on_hyphens=False)
    return wrapped or [line]
