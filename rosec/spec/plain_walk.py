"""The quick way to read a spec composed by libyaml that holds nothing unusual, and its positions, found on demand.

The loader's walker (rosec.spec.loader) records the position of every value and key and checks every node for
the problems that leave a usable tree (duplicate keys, keys that are not strings, merge keys, bad scalars, deep
nesting). For a spec without any of them, that bookkeeping is four fifths of the walk (1000 services: 0.3 s
instead of 0.06 s, before anything else can start), and the positions are read only for a diagnostic. So a
spec composed by libyaml without aliases (rare in a spec, and the walker's to read) is first read by
`plain_data`, which gives up at the first unusual node, and its positions are then looked up in the nodes when
asked for (NodePositions): the same positions the walker records, as a test checks over the corpus of specs.
"""

from __future__ import annotations

from typing import Any

from rosec.spec.fast_yaml import MAP_TAG, NULL_TAG, SEQ_TAG, STR_TAG, construct_scalar
from rosec.spec.guards import mark

PathKey = tuple[str | int, ...]


class UnusualSpecError(Exception):
    """The spec holds something plain_data leaves to the loader's walker."""


def plain_data(root: Any, max_depth: int) -> Any:
    """The data of a tree of libyaml nodes without aliases; UnusualSpecError for anything the walker would report
    or treat specially: a duplicate key, a key that is not a plain string (a merge key `<<` included), a scalar
    whose tag needs ruamel or whose value is invalid, a collection with another tag, a path longer than
    max_depth."""
    return _plain(root, 0, max_depth)


def _plain(node: Any, depth: int, max_depth: int) -> Any:
    if depth > max_depth:
        raise UnusualSpecError
    kind = node.id
    if kind == "scalar":
        if node.tag == STR_TAG:
            return node.value
        try:
            return construct_scalar(node)
        except (LookupError, ValueError, TypeError, ArithmeticError):
            raise UnusualSpecError from None
    depth += 1
    if kind == "mapping":
        if node.tag != MAP_TAG:
            raise UnusualSpecError
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag != STR_TAG or key_node.id != "scalar":
                raise UnusualSpecError
            result[key_node.value] = _plain(value_node, depth, max_depth)
        if len(result) != len(node.value):
            raise UnusualSpecError  # a duplicate key
        return result
    if node.tag != SEQ_TAG:
        raise UnusualSpecError
    return [_plain(item, depth, max_depth) for item in node.value]


class NodePositions:
    """1-based (line, column) of the values and keys of a tree that plain_data read, looked up in its nodes:
    rosec.spec.loader.Positions's answers, without a table of every node."""

    def __init__(self, root: Any) -> None:
        self._root = root
        self._keys: dict[int, dict[str, tuple[Any, Any]]] = {}  # id(mapping node) -> key -> (key node, value node)

    def of_value(self, path: PathKey) -> tuple[int, int]:
        """Position of the value at path, or of the nearest enclosing node that has one."""
        for cut in range(len(path), -1, -1):
            found = self._find(path[:cut])
            if found is not None:
                key_node, node = found
                empty = key_node is not None and node.id == "scalar" and node.tag == NULL_TAG and node.value == ""
                return mark(key_node if empty else node)  # a value left out after `key:`: at the key
        return (1, 1)

    def of_key(self, path: PathKey) -> tuple[int, int]:
        found = self._find(path)
        if found is not None and found[0] is not None:
            return mark(found[0])
        return self.of_value(path)

    def _find(self, path: PathKey) -> tuple[Any, Any] | None:
        """(key node or None, value node) at path; None when the path leads nowhere."""
        key_node, node = None, self._root
        for part in path:
            if node.id == "mapping" and type(part) is str:
                found = self._mapping(node).get(part)
                if found is None:
                    return None
                key_node, node = found
            elif node.id == "sequence" and type(part) is int and 0 <= part < len(node.value):
                key_node, node = None, node.value[part]
            else:
                return None
        return key_node, node

    def _mapping(self, node: Any) -> dict[str, tuple[Any, Any]]:
        pairs = self._keys.get(id(node))
        if pairs is None:
            pairs = self._keys[id(node)] = {key.value: (key, value) for key, value in node.value}
        return pairs
