"""Turn ruamel.yaml syntax errors into one located diagnostic with a useful hint."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rosec.diagnostics import Diagnostic

if TYPE_CHECKING:
    from ruamel.yaml.error import MarkedYAMLError, StreamMark

_OPENERS = {"while parsing a flow sequence": "[", "while parsing a flow mapping": "{",
            "while scanning a quoted scalar": "quote"}
_CLOSERS = {"[": "]", "{": "}"}
_QUOTE_TYPES = 'inside { } or [ ], quote type expressions: "list[Order]"'


def yaml_error_diagnostic(exc: MarkedYAMLError, text: str, name: str) -> Diagnostic:
    problem = exc.problem or exc.context or "invalid YAML"
    context = exc.context or ""
    opener = _OPENERS.get(context)
    mark = exc.problem_mark or exc.context_mark
    unclosed = _unclosed_bracket(text) if _at_end(problem) else None
    if opener and exc.context_mark and (_at_end(problem) or _later_line(exc)):
        mark = exc.context_mark
        problem = "this quote is never closed" if opener == "quote" else f"this '{opener}' is never closed"
    elif unclosed:
        (line, col), bracket = unclosed
        return Diagnostic(name, line, col, "", f"invalid YAML: this '{bracket}' is never closed",
                          f"add the closing '{_CLOSERS[bracket]}'")
    elif "expected <block end>" in problem:
        problem = "this line is not indented like the lines around it"
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Diagnostic(name, line, col, "", f"invalid YAML: {problem}", _hint(problem, context, exc, text, line))


def _at_end(problem: str) -> bool:
    return "end of stream" in problem or "<stream end>" in problem


def _later_line(exc: MarkedYAMLError) -> bool:
    """A one-line flow collection or quote that runs on into the next lines was never closed."""
    return bool(exc.problem_mark and exc.context_mark and exc.problem_mark.line > exc.context_mark.line)


def _hint(problem: str, context: str, exc: MarkedYAMLError, text: str, line: int) -> str:
    if "never closed" in problem:
        return "add the closing quote" if "quote" in problem else f"add the closing '{']' if '[' in problem else '}'}'"
    if "'\\t'" in problem:
        return "YAML does not allow tabs here; replace the tab with spaces"
    if "undefined alias" in problem:
        return "define the anchor (&name) before using the alias (*name)"
    if "but got '['" in problem or "but got ']'" in problem:
        return _QUOTE_TYPES
    if context in _OPENERS and exc.context_mark:
        return f"{_where(exc.context_mark)} starts a {'list' if '[' in _OPENERS[context] else 'mapping'} " \
               f"that is not closed properly; {_QUOTE_TYPES}"
    if "mapping values are not allowed" in problem:
        return _unclosed_quote_hint(text, line) or \
            'check the indentation of this line, or quote a value that contains ": ", e.g. summary: "Note: ..."'
    if "not indented like" in problem or "block mapping" in problem:
        return "keys of one mapping must line up; check the spaces at the start of this line"
    return "check indentation, quotes and colons around this position"


def _where(mark: StreamMark) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}"


def _unclosed_quote_hint(text: str, error_line: int) -> str:
    """A quote left open on an earlier line swallows the lines after it; name that line."""
    for number, line in enumerate(text.splitlines()[: error_line - 1], start=1):
        content = line.split(" #", 1)[0]
        if content.replace('\\"', "").count('"') % 2 or (content.count("'") % 2 and ": '" in content):
            return f"line {number} has a quote that is not closed on that line"
    return ""


def _unclosed_bracket(text: str) -> tuple[tuple[int, int], str] | None:
    """Position (1-based) and character of the first '[' or '{' that is never closed, outside quotes and comments."""
    stack: list[tuple[tuple[int, int], str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        quote = ""
        for col, char in enumerate(line, start=1):
            if quote:
                quote = "" if char == quote else quote
            elif char in "'\"":
                quote = char
            elif char == "#" and (col == 1 or line[col - 2] in " \t"):
                break
            elif char in _CLOSERS:
                stack.append(((number, col), char))
            elif char in "]}" and stack:
                stack.pop()
    return stack[0] if stack else None
