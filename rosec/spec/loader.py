"""Load rose.yaml into plain data plus the position of every node.

The composed node graph is walked by hand (not constructed by ruamel) so that we
can report every duplicate key, reject non-string keys, and bound alias expansion.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from rosec.diagnostics import Diagnostic, SpecError, format_path

MAX_NODES = 200_000
MERGE_TAG = "tag:yaml.org,2002:merge"
STR_TAG = "tag:yaml.org,2002:str"

PathKey = tuple[str | int, ...]


@dataclass
class Positions:
    """1-based (line, column) of every value and every mapping key, by data path."""

    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def of_value(self, path: PathKey) -> tuple[int, int]:
        """Position of the value at path, or of the nearest enclosing node that has one."""
        for cut in range(len(path), -1, -1):
            found = self.values.get(path[:cut])
            if found:
                return found
        return (1, 1)

    def of_key(self, path: PathKey) -> tuple[int, int]:
        return self.keys.get(path) or self.of_value(path)


@dataclass
class LoadedSpec:
    file: str
    data: dict[str, Any]
    positions: Positions

    def diagnostic(self, path: PathKey, message: str, hint: str = "", at_key: bool = False) -> Diagnostic:
        line, col = self.positions.of_key(path) if at_key else self.positions.of_value(path)
        return Diagnostic(self.file, line, col, format_path(path), message, hint)


def load_file(path: Path, display_name: str | None = None) -> LoadedSpec:
    name = display_name or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError([Diagnostic(name, 1, 1, "", f"cannot read spec: {exc.strerror}", "check the path")]) from None
    return load_bytes(raw, name)


def load_bytes(raw: bytes, name: str) -> LoadedSpec:
    text = _decode(raw, name)
    _reject_tabs(text, name)
    if not text.strip() or all(_is_comment_or_blank(line) for line in text.splitlines()):
        raise SpecError([Diagnostic(name, 1, 1, "", "the spec is empty", "run `rosec init` for a starter spec")])
    root = _compose(text, name)
    walker = _Walker(name)
    data = walker.walk(root, ())
    if walker.errors:
        raise SpecError(walker.errors)
    if not isinstance(data, dict):
        line, col = _mark(root)
        kind = "a list" if isinstance(data, list) else "a single value"
        raise SpecError([Diagnostic(name, line, col, "", f"the spec must be a mapping, not {kind}",
                                    "start with `rose: 1` and `system: {name: ...}`")])
    return LoadedSpec(name, data, walker.positions)


def _is_comment_or_blank(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _decode(raw: bytes, name: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise SpecError([Diagnostic(name, line, col, "", f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                                    "save the file as UTF-8")]) from None
    return text.removeprefix("\ufeff")


def _reject_tabs(text: str, name: str) -> None:
    errors = []
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            errors.append(Diagnostic(name, number, indent.index("\t") + 1, "", "tab character in indentation",
                                     "YAML indentation must use spaces; replace the tab with spaces"))
    if errors:
        raise SpecError(errors)


def _compose(text: str, name: str) -> Node:
    yaml = YAML(typ="rt")
    try:
        nodes = list(yaml.compose_all(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        hint = "check indentation, quotes and colons around this position"
        if "'['" in problem or "']'" in problem:
            hint = 'inside { } or [ ], quote type expressions: "list[Order]"'
        raise SpecError([Diagnostic(name, line, col, "", f"invalid YAML: {problem}", hint)]) from None
    except YAMLError as exc:
        raise SpecError([Diagnostic(name, 1, 1, "", f"invalid YAML: {exc}", "")]) from None
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        raise SpecError([Diagnostic(name, 1, 1, "", "the spec is empty", "run `rosec init` for a starter spec")])
    if len(nodes) > 1:
        line, col = _mark(nodes[1])
        raise SpecError([Diagnostic(name, line, col, "", "the spec must be a single YAML document",
                                    "remove the `---` separator and the second document")])
    return nodes[0]


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Walker:
    def __init__(self, name: str) -> None:
        self.name = name
        self.positions = Positions()
        self.errors: list[Diagnostic] = []
        self.budget = MAX_NODES
        self.constructor = YAML(typ="safe", pure=True).constructor

    def walk(self, node: Node, path: PathKey) -> Any:
        self.budget -= 1
        if self.budget < 0:
            if self.budget == -1:
                line, col = _mark(node)
                self.errors.append(Diagnostic(self.name, line, col, format_path(path),
                                              f"the document expands to more than {MAX_NODES} nodes",
                                              "YAML aliases multiply content; remove the nested aliases"))
            return None
        self.positions.values.setdefault(path, _mark(node))
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.walk(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _scalar(self, node: ScalarNode, path: PathKey) -> Any:
        try:
            return self.constructor.construct_object(node, deep=True)
        except YAMLError as exc:
            line, col = _mark(node)
            self.errors.append(Diagnostic(self.name, line, col, format_path(path), f"invalid value: {exc}", ""))
            return None

    def _mapping(self, node: MappingNode, path: PathKey) -> dict[str, Any]:
        result: dict[str, Any] = {}
        explicit: set[str] = set()
        merges: list[Node] = []
        for key_node, value_node in node.value:
            if str(key_node.tag) == MERGE_TAG:
                merges.extend(value_node.value if isinstance(value_node, SequenceNode) else [value_node])
                continue
            key = self._key(key_node, path)
            if key is None:
                continue
            if key in explicit:
                line, col = _mark(key_node)
                first = self.positions.keys[(*path, key)]
                self.errors.append(Diagnostic(self.name, line, col, format_path((*path, key)),
                                              f"duplicate key '{key}' (first defined at line {first[0]})",
                                              "remove or rename one of them"))
                continue
            explicit.add(key)
            self.positions.keys[(*path, key)] = _mark(key_node)
            self.positions.values[(*path, key)] = _mark(value_node)
            result[key] = self.walk(value_node, (*path, key))
        for merge_node in merges:
            merged = self.walk(merge_node, path)
            if isinstance(merged, dict):
                for key, value in merged.items():
                    result.setdefault(key, value)
            else:
                line, col = _mark(merge_node)
                self.errors.append(Diagnostic(self.name, line, col, format_path(path),
                                              "a merge key (<<) must refer to a mapping", ""))
        return result

    def _key(self, key_node: Node, path: PathKey) -> str | None:
        if isinstance(key_node, ScalarNode) and str(key_node.tag) == STR_TAG:
            return str(key_node.value)
        line, col = _mark(key_node)
        shown = key_node.value if isinstance(key_node, ScalarNode) else "a collection"
        self.errors.append(Diagnostic(self.name, line, col, format_path(path),
                                      f"mapping keys must be strings, got {shown!r}",
                                      f'quote the key: "{shown}"' if isinstance(key_node, ScalarNode) else ""))
        return None
