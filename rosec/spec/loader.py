"""Load rose.yaml into plain data plus the position of every node.

The composed node graph is walked by hand (not constructed by ruamel) so that we
can report every duplicate key, reject non-string keys and unknown tags, bound
alias expansion and nesting, and never raise anything but SpecError.

Composition takes the fast path of rosec.spec.fast_yaml (libyaml, YAML 1.2 resolution
as ruamel does it) when it can, and ruamel.yaml's pure-Python round-trip composer
otherwise: for documents that hold tags, block scalar headers that ruamel reads more
strictly, anchors or aliases of names in doubt, tabs outside comments and one-line quoted
scalars, or may hold directives (fast_yaml.pure_only),
and for every YAML error, so that messages and locations are ruamel's. The walker reads both kinds of nodes; a
spec that libyaml composed and that holds nothing unusual is read by rosec.spec.plain_walk
instead, which finds the positions in the nodes when a diagnostic asks for one.

Errors that leave a usable tree (duplicate keys, non-string keys, bad scalars) are
collected in LoadedSpec.errors and reported by validate_parts() together with the schema
errors; errors that leave no tree (bad YAML, bad encoding) raise SpecError at once.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rosec.diagnostics import Diagnostic, SpecError, format_path
from rosec.spec import fast_yaml
from rosec.spec.guards import (
    decode,
    mark,
    may_hold_aliases,
    only_comments_or_blank,
    reject_alias_bomb,
    reject_control_characters,
    reject_tabs,
    shares_a_node,
    text_lines,
)
from rosec.spec.plain_walk import NodePositions, PathKey, UnusualSpecError, plain_data
from rosec.spec.yaml_errors import yaml_error_diagnostic

if TYPE_CHECKING:
    from ruamel.yaml.nodes import Node

MAX_DEPTH = 64
MERGE_TAG = "tag:yaml.org,2002:merge"
STR_TAG = "tag:yaml.org,2002:str"
NULL_TAG = "tag:yaml.org,2002:null"
COLLECTION_TAGS = {"mapping": "tag:yaml.org,2002:map", "sequence": "tag:yaml.org,2002:seq"}
EMPTY_HINT = "run `rosec init` for a starter spec, or start with `rose: 1`"


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
    positions: Positions | NodePositions
    errors: list[Diagnostic] = field(default_factory=list)
    """Problems found while loading that left a usable tree; validate_parts() reports them."""
    broken: set[PathKey] = field(default_factory=set)
    """Paths whose value was dropped because of a loading error (no second error there)."""
    text: str = ""
    """The document's text."""

    def diagnostic(self, path: PathKey, message: str, hint: str = "", at_key: bool = False) -> Diagnostic:
        line, col = self.positions.of_key(path) if at_key else self.positions.of_value(path)
        return Diagnostic(self.file, line, col, format_path(path), message, hint)

    def is_broken(self, path: PathKey) -> bool:
        return any(path[: len(b)] == b for b in self.broken)


def load_file(path: Path, display_name: str | None = None) -> LoadedSpec:
    name = display_name or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError([Diagnostic(name, 1, 1, "", f"cannot read spec: {exc.strerror}", "check the path")]) from None
    return load_bytes(raw, name)


def load_bytes(raw: bytes, name: str) -> LoadedSpec:
    text = decode(raw, name)
    reject_tabs(text, name)
    reject_control_characters(text, name)
    if only_comments_or_blank(text):
        raise SpecError([Diagnostic(name, 1, 1, "", "the spec is empty", EMPTY_HINT)])
    root = _compose(text, name)
    aliases = may_hold_aliases(text) and shares_a_node(root)
    if aliases:  # without an alias (*name) nothing can expand
        reject_alias_bomb(root, name)
    spec = _plain(root, text, name, aliases)
    if spec is not None:
        return spec
    walker = _Walker(name)
    data = walker.walk(root, ())
    _reject_other_than_a_mapping(data, root, name, walker.errors)
    return LoadedSpec(name, data, walker.positions, walker.errors, walker.broken, text)


def _plain(root: Node, text: str, name: str, aliases: bool) -> LoadedSpec | None:
    """The spec read by rosec.spec.plain_walk, with its positions looked up in the nodes when asked for; None
    when the walker must read it (aliases, nodes ruamel composed, anything unusual)."""
    if aliases or not fast_yaml.is_fast(root):
        return None
    try:
        data = plain_data(root, MAX_DEPTH)
    except UnusualSpecError:
        return None
    _reject_other_than_a_mapping(data, root, name, [])
    return LoadedSpec(name, data, NodePositions(root), text=text)


def _reject_other_than_a_mapping(data: Any, root: Node, name: str, errors: list[Diagnostic]) -> None:
    if data is None and not errors:
        raise SpecError([Diagnostic(name, *mark(root), "", "the spec is empty", EMPTY_HINT)])
    if not isinstance(data, dict):
        line, col = mark(root)
        kind = "a list" if isinstance(data, list) else "a single value"
        raise SpecError([*errors, Diagnostic(name, line, col, "", f"the spec must be a mapping, not {kind}",
                                             "start with `rose: 1` and `system: {name: ...}`")])


def _compose(text: str, name: str) -> Node:
    fast = fast_yaml.compose(text)
    if fast is not None:
        return fast
    return _compose_pure(text, name)


def _compose_pure(text: str, name: str) -> Node:
    """ruamel.yaml's round-trip composer: the reference for every YAML error message and location."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. a reused anchor: legal YAML, the later one wins
            nodes = list(yaml.compose_all(text))
    except MarkedYAMLError as exc:
        raise SpecError([yaml_error_diagnostic(exc, text, name)]) from None
    except YAMLError as exc:
        raise SpecError([Diagnostic(name, 1, 1, "", f"invalid YAML: {exc}", "")]) from None
    except RecursionError:
        raise SpecError([Diagnostic(name, 1, 1, "", "the document is nested too deeply",
                                    f"a spec needs only a few levels; keep it under {MAX_DEPTH}")]) from None
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        raise SpecError([Diagnostic(name, 1, 1, "", "the spec is empty", EMPTY_HINT)])
    if len(nodes) > 1:
        line, col = _document_start(text, nodes[1])
        raise SpecError([Diagnostic(name, line, col, "", "the spec must be a single YAML document",
                                    "remove the `---` separator and the second document")])
    return nodes[0]


def _document_start(text: str, node: Node) -> tuple[int, int]:
    """The `---` line that starts the document of node (or the node itself)."""
    line = node.start_mark.line
    rows = text_lines(text)
    for number in range(min(line, len(rows) - 1), -1, -1):
        if rows[number].startswith("---"):
            return number + 1, 1
    return mark(node)


class _Walker:
    def __init__(self, name: str) -> None:
        self.name = name
        self.positions = Positions()
        self.errors: list[Diagnostic] = []
        self.broken: set[PathKey] = set()
        self.ancestors: set[int] = set()
        self._constructor: Any = None

    @property
    def constructor(self) -> Any:
        """ruamel's safe constructor (YAML 1.2), made on first use: the fast path rarely needs it."""
        if self._constructor is None:
            from ruamel.yaml import YAML

            self._constructor = YAML(typ="safe", pure=True).constructor
        return self._constructor

    def error(self, node: Node, path: PathKey, message: str, hint: str = "", dropped: bool = True) -> None:
        """Record a problem; dropped means the value at path was replaced by None."""
        line, col = mark(node)
        self.errors.append(Diagnostic(self.name, line, col, format_path(path), message, hint))
        if dropped:
            self.broken.add(path)

    def walk(self, node: Node, path: PathKey) -> Any:
        self.positions.values.setdefault(path, mark(node))
        kind = node.id
        if kind == "scalar":  # never among the ancestors (it has no children); _scalar checks its tag
            if len(path) > MAX_DEPTH:
                self._too_deep(path)
                return None
            return self._scalar(node, path)
        if id(node) in self.ancestors:
            self.error(node, path, "this value contains itself through a YAML alias",
                       "remove the alias (*name) that refers to its own anchor")
            return None
        if len(path) > MAX_DEPTH:
            self._too_deep(path)
            return None
        if str(node.tag) != COLLECTION_TAGS[kind]:
            self.error(node, path, f"unsupported YAML tag '{_short(node.tag)}'", "remove the tag")
            return None
        self.ancestors.add(id(node))
        try:
            if kind == "mapping":
                return self._mapping(node, path)
            return [self.walk(item, (*path, i)) for i, item in enumerate(node.value)]
        finally:
            self.ancestors.discard(id(node))

    def _too_deep(self, path: PathKey) -> None:
        """Report once, at the innermost mapping key above the deep part."""
        cut = max((i + 1 for i, part in enumerate(path) if isinstance(part, str)), default=0)
        outer = path[:cut]
        if outer in self.broken:
            return
        line, col = self.positions.of_value(outer)
        self.errors.append(Diagnostic(self.name, line, col, format_path(outer),
                                      f"this value is nested more than {MAX_DEPTH} levels deep",
                                      "a spec needs only a few levels of nesting"))
        self.broken.add(outer)

    def _scalar(self, node: Node, path: PathKey) -> Any:
        if fast_yaml.is_fast(node):
            try:
                return fast_yaml.construct_scalar(node)
            except (ValueError, TypeError, ArithmeticError):
                self.error(node, path, f"invalid value {node.value!r} for tag '{_short(node.tag)}'", "remove the tag")
                return None
            except LookupError:
                node = fast_yaml.as_ruamel(node)  # a tag the fast path leaves to ruamel, e.g. a timestamp
        elif node.style == ">" and "\a" in node.value:
            # ruamel's round-trip scanner marks the folds of a folded scalar with BEL; a BEL of the text itself
            # cannot be there (reject_control_characters), so these are only the marks: the value has none.
            node.value = node.value.replace("\a", "")
        from ruamel.yaml.error import YAMLError

        try:
            return self.constructor.construct_object(node, deep=True)
        except YAMLError as exc:
            problem = getattr(exc, "problem", None) or "cannot read this value"
            if "could not determine a constructor" in problem:
                self.error(node, path, f"unsupported YAML tag '{_short(node.tag)}'", "remove the tag")
            else:
                self.error(node, path, f"invalid value {node.value!r} for tag '{_short(node.tag)}': {problem}",
                           "remove the tag")
        except (ValueError, TypeError, ArithmeticError):
            self.error(node, path, f"invalid value {node.value!r} for tag '{_short(node.tag)}'", "remove the tag")
        return None

    def _mapping(self, node: Node, path: PathKey) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merges: list[Node] = []
        keys, values = self.positions.keys, self.positions.values
        for key_node, value_node in node.value:
            tag = str(key_node.tag)
            if tag == MERGE_TAG:
                merges.extend(value_node.value if value_node.id == "sequence" else [value_node])
                continue
            key = str(key_node.value) if tag == STR_TAG and key_node.id == "scalar" else self._key(key_node, path)
            if key is None:
                continue
            child = (*path, key)
            if key in result:
                first = keys[child]
                self.error(key_node, child, f"duplicate key '{key}' (first defined at line {first[0]})",
                           "remove or rename one of them", dropped=False)
                continue
            at = mark(key_node)
            keys.setdefault(child, at)  # merged keys come second
            if _is_empty(value_node):
                values.setdefault(child, at)
            result[key] = self.walk(value_node, child)
        for merge_node in merges:
            self._merge(merge_node, path, result)
        return result

    def _merge(self, merge_node: Node, path: PathKey, result: dict[str, Any]) -> None:
        if merge_node.id != "mapping":
            self.error(merge_node, path, "a merge key (<<) must refer to a mapping", "write `<<: *anchor`",
                       dropped=False)
            return
        merged = self.walk(merge_node, path)
        for key, value in (merged or {}).items():
            result.setdefault(key, value)

    def _key(self, key_node: Node, path: PathKey) -> str | None:
        if key_node.id == "scalar" and str(key_node.tag) == STR_TAG:
            return str(key_node.value)
        if key_node.id == "scalar":
            shown = key_node.value or "null"
            self.error(key_node, path, f"mapping keys must be strings, got {shown!r}", f'quote the key: "{shown}"',
                       dropped=False)
        else:
            self.error(key_node, path, "mapping keys must be strings, got a collection", "use a plain name as key",
                       dropped=False)
        return None


def _is_empty(node: Node) -> bool:
    """A value left out after `key:` (an implicit null); its position is best shown at the key."""
    return node.id == "scalar" and str(node.tag) == NULL_TAG and node.value == ""


def _short(tag: Any) -> str:
    """tag:yaml.org,2002:int -> !!int"""
    return str(tag).replace("tag:yaml.org,2002:", "!!")
