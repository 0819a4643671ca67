"""Diagnostics: every user mistake becomes one of these, never a traceback."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Literal

ERROR = "error"
WARNING = "warning"
Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in a spec, located at FILE:LINE:COL (1-based).

    An error stops validate, build and check; a warning is reported, and stops them only with --strict.
    """

    file: str
    line: int
    column: int
    path: str
    message: str
    hint: str = ""
    severity: Severity = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def render(self) -> str:
        """FILE:LINE:COL: SEVERITY: PATH: MESSAGE, the hint indented on the next line.

        The first line has the shape of GCC's diagnostics (`file:line:col: error: ...`, `... warning: ...`),
        which GCC-style parsers of editors and CI annotations read as they are (docs/language.md, Diagnostics).
        """
        subject = f" {self.path}:" if self.path else ""
        text = f"{self.file}:{self.line}:{self.column}: {self.severity}:{subject} {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


class SpecError(Exception):
    """Raised when a spec has errors, with every diagnostic found in it (its warnings too); the CLI prints them
    and exits 1."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = sorted(set(diagnostics))
        super().__init__("\n".join(d.render() for d in self.diagnostics))


def only_errors(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.is_error]


def only_warnings(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if not d.is_error]


def summary(diagnostics: Iterable[Diagnostic]) -> str:
    """'3 errors', '1 error, 2 warnings', '1 warning': errors and warnings counted apart."""
    items = list(diagnostics)
    counts = [(len(only_errors(items)), ERROR), (len(only_warnings(items)), WARNING)]
    parts = [f"{n} {word}{'' if n == 1 else 's'}" for n, word in counts if n]
    return ", ".join(parts) or "0 errors"


def render_text(diagnostics: Iterable[Diagnostic]) -> str:
    items = list(diagnostics)
    return "\n".join([*(d.render() for d in items), summary(items)])


def render_json(diagnostics: Iterable[Diagnostic]) -> str:
    return json.dumps([asdict(d) for d in diagnostics], indent=2, sort_keys=True)


def did_you_mean(name: str, candidates: Iterable[str], close_only: bool = False) -> str:
    """A did-you-mean hint, or (unless close_only) a list of what is allowed when nothing is close."""
    options = sorted(set(candidates))
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in options}
        if name.lower() in lowered:
            close = [lowered[name.lower()]]
    if close:
        return f"did you mean '{close[0]}'?"
    if not options or close_only:
        return ""
    shown = ", ".join(f"'{c}'" for c in options[:12])
    more = ", ..." if len(options) > 12 else ""
    return f"expected one of {shown}{more}"


_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$")


def format_path(parts: Sequence[str | int]) -> str:
    """('services', 'orders', 'rest', 1, 'response') -> services.orders.rest[1].response

    Keys that are not plain words (empty, '..', 'a/b', 'a b') are quoted so the path stays readable.
    """
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        text = str(part) if _PLAIN_KEY.match(str(part)) else json.dumps(str(part), ensure_ascii=False)
        out += f".{text}" if out else text
    return out
