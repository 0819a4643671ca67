"""Diagnostics: every user mistake becomes one of these, never a traceback."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in a spec, located at FILE:LINE:COL (1-based)."""

    file: str
    line: int
    column: int
    path: str
    message: str
    hint: str = ""

    def render(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        subject = f" {self.path}:" if self.path else ""
        text = f"{where}:{subject} {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


class SpecError(Exception):
    """Raised with every diagnostic found in a spec; the CLI prints them and exits 1."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = sorted(set(diagnostics))
        super().__init__("\n".join(d.render() for d in self.diagnostics))


def render_text(diagnostics: Iterable[Diagnostic]) -> str:
    items = list(diagnostics)
    lines = [d.render() for d in items]
    noun = "error" if len(items) == 1 else "errors"
    lines.append(f"{len(items)} {noun}")
    return "\n".join(lines)


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
