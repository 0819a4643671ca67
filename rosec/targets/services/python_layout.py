"""Long lines of generated Python laid out the way `ruff format` keeps them, without running ruff.

Templates write a statement, an argument or a docstring on one line; `lay_out` re-lays every physical line
longer than LINE_LENGTH (the project's ruff `line-length`) and leaves the others as they are:

- code is split at its brackets, innermost last: a bracket that does not fit holds one item per line with a
  trailing comma (a "magic" trailing comma: `ruff format` keeps such a bracket exploded); a one-element subscript
  or parenthesized expression holds its element on the line between the brackets; a comprehension puts its
  element and its `for` clause on lines of their own;
- a value that cannot be split so (a name, a conditional expression, a string) after `name=`, `key: ` or an
  annotation is put in parentheses on a line of its own, a string with spaces cut into implicitly concatenated
  parts; a trailing comment that does not fit goes on the line above;
- docstrings and comments are wrapped at spaces.

What cannot be split (one name longer than a line) stays as it is; rosec.model keeps the names short enough
(rosec.model.code_checks) that the lines holding them fit.
"""

from __future__ import annotations

import ast
import re
import textwrap
from functools import lru_cache
from itertools import accumulate

from rosec.targets.services.python_literals import py_str

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
    contexts = _contexts(source, lines, long_lines)
    for i, (depth, context) in zip(reversed(long_lines), reversed(contexts), strict=True):
        if context == _IN_STRING:
            continue
        laid_out = _wrap_text(lines[i], context) if context is not None else _lay_out_code(lines[i], depth)
        lines[i : i + 1] = laid_out
    return "\n".join(lines)


# -- where a line starts: bracket depth, or inside a docstring ------------------------------------------------
_IN_STRING = -1  # a line inside a triple-quoted string that is not a docstring: its text is a value
_QUOTES = ('"""', "'''", '"', "'")
_SPECIAL = re.compile("|".join(re.escape(token) for token in (*_QUOTES, "#", *"()[]{}")))
_STRING_ENDS = {quote: re.compile(r"(?:[^\\]|\\.)*?" + re.escape(quote), re.DOTALL) for quote in _QUOTES}


def _contexts(source: str, lines: list[str], wanted: list[int]) -> list[tuple[int, int | None]]:
    """For each line number in `wanted` (ascending): the bracket depth at its start, and None for code, else the
    indentation of the docstring it is text of, or _IN_STRING. One pass of regular expressions over the module
    that jumps from bracket to quote to comment, so long modules of short lines cost little."""
    lengths = list(accumulate(map(len, lines), initial=0))
    starts = {line: lengths[line] + line for line in wanted}  # + the newlines before it
    found: list[tuple[int, int | None]] = []
    targets = iter(wanted)
    target = next(targets, None)
    depth, i = 0, 0
    while target is not None:
        special = _SPECIAL.search(source, i)
        stop = len(source) if special is None else special.start()
        while target is not None and starts[target] <= stop:  # lines that start outside any string
            line = lines[target]
            indent = len(line) - len(line.lstrip())
            found.append((depth, indent if depth == 0 and line.startswith(('"""', "'''"), indent) else None))
            target = next(targets, None)
        if special is None or target is None:
            break
        token, i = special.group(), special.end()
        if token == "#":
            i = _or_end(source.find("\n", i), source)
        elif token in _QUOTES:
            i = _or_end(_string_end(source, i, token), source)
            line_start = source.rfind("\n", 0, special.start()) + 1
            docstring = depth == 0 and len(token) == 3 and not source[line_start : special.start()].strip()
            while target is not None and starts[target] < i:  # lines that start inside this string
                found.append((depth, special.start() - line_start if docstring else _IN_STRING))
                target = next(targets, None)
        else:
            depth += 1 if token in "([{" else -1
    return found


def _or_end(index: int, text: str) -> int:
    return len(text) if index < 0 else index


def _string_end(text: str, i: int, quote: str) -> int:
    """The index after the closing `quote` of a string whose body starts at `i`; -1 when it is not in `text`."""
    end = _STRING_ENDS[quote].match(text, i)
    return -1 if end is None else end.end()


# -- the top level of an expression ---------------------------------------------------------------------------
@lru_cache(maxsize=256)
def _depths(text: str) -> tuple[int, ...]:
    """For each character of one line of code: its bracket depth (for a closing bracket, the depth it returns to),
    or -1 inside a string literal or after the `#` of a comment."""
    depths = [-1] * len(text)
    depth, i = 0, 0
    while i < len(text):
        special = _SPECIAL.search(text, i)
        stop = len(text) if special is None else special.start()
        depths[i:stop] = [depth] * (stop - i)
        if special is None:
            break
        token, i = special.group(), special.end()
        if token in _QUOTES:
            i = _or_end(_string_end(text, i, token), text)
            continue
        depth -= token in ")]}"
        depths[special.start()] = depth
        if token == "#":
            break
        depth += token in "([{"
    return tuple(depths)


def _find(text: str, word: str, start: int = 0) -> int:
    """Index of `word` at bracket depth 0 of `text` (outside strings), else -1."""
    depths = _depths(text)
    i = text.find(word, start)
    while i >= 0 and depths[i] != 0:
        i = text.find(word, i + 1)
    return i


def _split_items(text: str) -> list[str]:
    """The comma-separated items of a bracket's contents (a trailing comma adds no item)."""
    items, start = [], 0
    comma = _find(text, ",")
    while comma >= 0:
        items.append(text[start:comma].strip())
        start = comma + 1
        comma = _find(text, ",", start)
    last = text[start:].strip()
    return [*items, last] if last else items


def _group(text: str, *, first: bool = False) -> tuple[int, int] | None:
    """(opening index, closing index) of the first or the last bracket at depth 0 of `text`."""
    depths = _depths(text)
    opening, found = -1, None
    for bracket in _BRACKET.finditer(text):
        i = bracket.start()
        if depths[i] != 0:
            continue
        if text[i] in "([{":
            opening = i
        elif opening >= 0:
            found = (opening, i)
            if first:
                return found
    return found


_BRACKET = re.compile(r"[()\[\]{}]")


def _comment_start(code: str) -> int:
    """Index of the comment of a line of code, else -1."""
    depths = _depths(code)
    i = code.find("#")
    while i >= 0 and depths[i] < 0:
        i = code.find("#", i + 1)
    return i


# -- code -----------------------------------------------------------------------------------------------------
def _lay_out_code(line: str, depth: int) -> list[str]:
    indent = len(line) - len(line.lstrip())
    code = line.strip()
    if code.startswith("#"):
        return _wrap_text(line, indent, "# ")
    comment = _comment_start(code)
    if comment > 0 and not _PRAGMA.match(code, comment):
        above = _wrap_text(" " * indent + code[comment:], indent, "# ")
        return above + _lay_out_code(" " * indent + code[:comment].rstrip(), depth)
    if depth > 0:  # an item of a bracket the template opened on an earlier line
        item, comma = (code[:-1], ",") if code.endswith(",") else (code, "")
        return _item(item, indent, comma)
    return _statement(code, indent)


def _statement(code: str, indent: int) -> list[str]:
    if code.startswith(("def ", "async def ")) and code.endswith(":"):
        group = _group(code, first=True)
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
    colon = _find(item, ": ")
    if colon > 0 and not item.startswith("lambda"):
        key = item[: colon + 2]
        if re.fullmatch(r"\*?[A-Za-z_][A-Za-z0-9_]*: ", key):  # a parameter with its annotation
            return _annotated(key, item[colon + 2 :], indent, suffix)
        return _value(item[colon + 2 :], indent, key, suffix)
    if (_STRING.fullmatch(item) and " " in item) or _find(item, " if ") > 0:  # parts on lines of their own
        return _value(item, indent, "", suffix)
    return _expression(item, indent, "", suffix)


def _annotated(name: str, rest: str, indent: int, suffix: str) -> list[str]:
    """`name: annotation` or `name: annotation = value`: the value's bracket first, then the annotation's."""
    equals = _find(rest, " = ")
    annotation, default = (rest, "") if equals < 0 else (rest[:equals], rest[equals:])
    if default and _group(default) and default.endswith(("}", "]", ")")):
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
    group = _group(text)
    if group is not None and group[1] == len(text) - 1 and _find(text, " if ") < 0:
        opening, closing = group
        if text[opening + 1 : closing].strip():
            head = prefix + text[: opening + 1]
            return _split(head, text[opening + 1 : closing], text[closing:] + suffix, indent, text[:opening])
    return [pad + prefix + text + suffix]


def _split(head: str, inner: str, tail: str, indent: int, before: str) -> list[str]:
    """`head` (ending with the opening bracket), the bracket's contents one level deeper, then `tail`; `before` is
    what precedes the bracket in its expression (a name for a call or subscript)."""
    items = _split_items(inner)
    applied = before[-1:].isalnum() or before[-1:] in ("_", ")", "]")  # a call or a subscript, not a display
    if _find(inner, " for ") > 0:
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
    clause = _find(inner, " for ")
    return [*_item(inner[:clause], indent, ""), *_expression(inner[clause + 1 :], indent, "", "")]


def _parenthesized(text: str, indent: int) -> list[str]:
    """An expression on the lines between parentheses: a conditional one part per line, a long string cut."""
    pad = " " * indent
    if len(pad) + len(text) <= LINE_LENGTH:
        return [pad + text]
    condition = _find(text, " if ")
    otherwise = _find(text, " else ", condition + 1) if condition > 0 else -1
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
    width = LINE_LENGTH - indent
    parts = [""]
    for token in re.findall(r" +|[^ ]+", value):
        alone = len(py_str(parts[-1])) > width  # the current part is a word longer than a line
        if parts[-1] and (alone or len(py_str(parts[-1] + token)) > width):
            parts.append("")
        parts[-1] += token
    return [" " * indent + py_str(part) for part in parts]


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
