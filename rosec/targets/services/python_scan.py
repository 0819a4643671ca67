"""Where things are in a line of generated Python, for python_layout: bracket depths outside strings and comments,
and whether a line starts inside a docstring. Regular expressions jump from bracket to quote to comment, so a
module of many short lines costs little; across a whole module, only strings and comments are visited one by one
(the brackets of the code between them are counted)."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import accumulate

IN_STRING = -1  # a line inside a triple-quoted string that is not a docstring: its text is a value
_QUOTES = ('"""', "'''", '"', "'")
_SPECIAL = re.compile("|".join(re.escape(token) for token in (*_QUOTES, "#", *"()[]{}")))
_STRING_OR_COMMENT = re.compile("|".join(re.escape(token) for token in (*_QUOTES, "#")))


def _depth_change(source: str, start: int, stop: int) -> int:
    """How far the brackets in source[start:stop] (code only: no string or comment in it) move the depth."""
    count = source.count
    return (count("(", start, stop) + count("[", start, stop) + count("{", start, stop)
            - count(")", start, stop) - count("]", start, stop) - count("}", start, stop))


def line_contexts(source: str, lines: list[str], wanted: list[int]) -> list[tuple[int, int | None]]:
    """For each line number in `wanted` (ascending): the bracket depth at its start, and None for code, else the
    indentation of the docstring it is text of, or IN_STRING; in one pass over the module. The brackets of the
    code between two strings or comments are counted, not visited one by one."""
    lengths = list(accumulate(map(len, lines), initial=0))
    starts = {line: lengths[line] + line for line in wanted}  # + the newlines before it
    found: list[tuple[int, int | None]] = []
    targets = iter(wanted)
    target = next(targets, None)
    depth, i = 0, 0
    while target is not None:
        special = _STRING_OR_COMMENT.search(source, i)
        stop = len(source) if special is None else special.start()
        while target is not None and starts[target] <= stop:  # lines that start outside any string
            line = lines[target]
            depth += _depth_change(source, i, starts[target])
            i = starts[target]
            indent = len(line) - len(line.lstrip())
            found.append((depth, indent if depth == 0 and line.startswith(('"""', "'''"), indent) else None))
            target = next(targets, None)
        if special is None or target is None:
            break
        depth += _depth_change(source, i, stop)
        token, i = special.group(), special.end()
        if token == "#":
            i = _or_end(source.find("\n", i), source)
        else:
            i = _or_end(_string_end(source, i, token), source)
            line_start = source.rfind("\n", 0, special.start()) + 1
            docstring = depth == 0 and len(token) == 3 and not source[line_start : special.start()].strip()
            while target is not None and starts[target] < i:  # lines that start inside this string
                found.append((depth, special.start() - line_start if docstring else IN_STRING))
                target = next(targets, None)
    return found


def _or_end(index: int, text: str) -> int:
    return len(text) if index < 0 else index


def _string_end(text: str, i: int, quote: str) -> int:
    """The index after the closing `quote` of a string whose body starts at `i`; -1 when it is not in `text`. A
    quote after an odd number of backslashes is escaped."""
    end = text.find(quote, i)
    while end >= 0:
        before = end
        while before > i and text[before - 1] == "\\":
            before -= 1
        if not (end - before) % 2:
            return end + len(quote)
        end = text.find(quote, end + 1)
    return -1


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


def find_top_level(text: str, word: str, start: int = 0) -> int:
    """Index of `word` at bracket depth 0 of `text` (outside strings), else -1."""
    depths = _depths(text)
    i = text.find(word, start)
    while i >= 0 and depths[i] != 0:
        i = text.find(word, i + 1)
    return i


def split_items(text: str) -> list[str]:
    """The comma-separated items of a bracket's contents (a trailing comma adds no item)."""
    items, start = [], 0
    comma = find_top_level(text, ",")
    while comma >= 0:
        items.append(text[start:comma].strip())
        start = comma + 1
        comma = find_top_level(text, ",", start)
    last = text[start:].strip()
    return [*items, last] if last else items


def bracket(text: str, *, first: bool = False) -> tuple[int, int] | None:
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


def comment_start(code: str) -> int:
    """Index of the comment of a line of code, else -1."""
    depths = _depths(code)
    i = code.find("#")
    while i >= 0 and depths[i] < 0:
        i = code.find("#", i + 1)
    return i
