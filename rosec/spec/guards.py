"""Guards on the raw text and on the composed YAML node graph, before the tree is walked.

Each raises SpecError naming every offending place: bytes that are not UTF-8, tabs in
indentation, control characters, and aliases that add more than MAX_NODES nodes.

The node graph may come from ruamel.yaml or from libyaml (rosec.spec.fast_yaml): nodes are
told apart by their `id` ('scalar', 'sequence', 'mapping'), which both define.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rosec.diagnostics import Diagnostic, SpecError, format_path

if TYPE_CHECKING:
    from ruamel.yaml.nodes import Node

MAX_NODES = 200_000
"""How many nodes YAML aliases may add to a document beyond the nodes written in it: a spec of any size
passes while it uses no aliases, and an alias bomb (billion laughs) fails however small its text is."""
_SIZE_CAP = 1 << 62  # expanded sizes are clipped here, so that an exponential bomb stays cheap to count
NodePath = tuple[str | int, ...]
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def mark(node: Node) -> tuple[int, int]:
    """1-based (line, column) where node starts."""
    return node.start_mark.line + 1, node.start_mark.column + 1


def is_comment_or_blank(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def only_comments_or_blank(text: str) -> bool:
    """Whether every line of text is blank or a comment; it reads up to the first line that is not, without
    splitting the rest (most specs: the first or second line of 80,000)."""
    start = 0
    for line_break in _LINE_BREAK.finditer(text):
        if not is_comment_or_blank(text[start : line_break.start()]):
            return False
        start = line_break.end()
    return is_comment_or_blank(text[start:])


def decode(raw: bytes, name: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1:].decode("utf-8", errors="replace")) + 1
        raise SpecError([Diagnostic(name, line, col, "", f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                                    "save the file as UTF-8")]) from None
    return text.removeprefix("\ufeff")


def text_lines(text: str) -> list[str]:
    """The lines of text, split at the line breaks YAML (and so every position we report) counts."""
    return _LINE_BREAK.split(text)


def reject_tabs(text: str, name: str) -> None:
    if "\t" not in text:
        return
    errors = []
    for number, line in enumerate(text_lines(text), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            errors.append(Diagnostic(name, number, indent.index("\t") + 1, "", "tab character in indentation",
                                     "YAML indentation must use spaces; replace the tab with spaces"))
    if errors:
        raise SpecError(errors)


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


def reject_control_characters(text: str, name: str) -> None:
    """YAML allows only printable characters; name each other one instead of failing at the first."""
    if not _CONTROL.search(text):
        return
    errors = []
    for number, line in enumerate(text_lines(text), start=1):
        for match in _CONTROL.finditer(line):
            errors.append(Diagnostic(name, number, match.start() + 1, "",
                                     f"control character U+{ord(match.group()):04X} is not allowed in YAML",
                                     "remove it; a spec holds only printable text, spaces and newlines"))
    if errors:
        raise SpecError(errors)


def _children(node: Node) -> list[Node]:
    kind = node.id
    if kind == "mapping":
        return [n for pair in node.value for n in pair]
    if kind == "sequence":
        return node.value
    return []


def _expanded_sizes(root: Node) -> dict[int, int]:
    """Node count of every node once aliases are expanded (clipped at _SIZE_CAP), by id: one entry per node
    written in the document, so len() of the result is the size of the document before expansion."""
    sizes: dict[int, int] = {}

    def size(node: Node) -> int:
        key = id(node)
        found = sizes.get(key)
        if found is None:
            sizes[key] = 1  # a recursive alias counts once; the walker reports it
            found = sizes[key] = min(1 + sum(size(child) for child in _children(node)), _SIZE_CAP)
        return found

    size(root)
    return sizes


# Where an alias (`*name`) can stand: at the start of a line, or after a space, a line break or a flow indicator
# (`[*a,*b]`, `{"a":*b}`), with at least one character of its anchor's name. A `*` anywhere else, or followed
# by a space, is text (a cron schedule, a wildcard, Markdown), and no alias can be missed this way.
_ALIAS = re.compile(r"(?:^|[\s\[{,:\ufeff])\*[^\s\[\]{},]", re.MULTILINE)


def may_hold_aliases(text: str) -> bool:
    """False only when the text holds no alias: then nothing in it can expand (or contain itself)."""
    return "*" in text and _ALIAS.search(text) is not None


def shares_a_node(root: Node) -> bool:
    """Whether a node of the composed tree is reached twice: an alias (composers give the anchor's node again).
    One pass over the nodes, stopping at the first one seen again."""
    seen: set[int] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if node.id == "sequence":
            pending += node.value
        elif node.id == "mapping":
            pending += [child for pair in node.value for child in pair]
    return False


def reject_alias_bomb(root: Node, name: str) -> None:
    """Refuse documents whose aliases add more than MAX_NODES nodes, pointing at the value that explodes."""
    try:
        sizes = _expanded_sizes(root)
    except RecursionError:
        raise SpecError([Diagnostic(name, 1, 1, "", "the document is nested too deeply",
                                    "a spec needs only a few levels of nesting")]) from None
    if sizes[id(root)] - len(sizes) <= MAX_NODES:
        return
    node, path = root, ()
    while True:
        step = _largest_child(node, path, sizes)
        if step is None:
            break
        node, path = step
    line, col = mark(node)
    raise SpecError([Diagnostic(name, line, col, format_path(path),
                                f"YAML aliases expand this value to more than {MAX_NODES} nodes",
                                "aliases multiply content; remove the nested aliases (*name)")])


def _largest_child(node: Node, path: NodePath, sizes: dict[int, int]) -> tuple[Node, NodePath] | None:
    """The child that alone expands beyond MAX_NODES, with its path, or None when the growth is spread out."""
    if node.id == "mapping":
        items: list[tuple[Node, NodePath]] = [(v, (*path, str(k.value))) for k, v in node.value]
    elif node.id == "sequence":
        items = [(v, (*path, i)) for i, v in enumerate(node.value)]
    else:
        return None
    return next(((child, p) for child, p in items if sizes.get(id(child), 0) > MAX_NODES), None)


