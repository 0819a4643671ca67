"""Leave out the invalid parts of a spec, so that the semantic checks run over everything that is valid.

One invalid endpoint must not hide the mistakes of the rest of the file. When the schema rejects parts of the
data, each part is left out at the smallest unit that has a meaning of its own (rosec.spec.locations.drop_point:
a list item, a map entry such as one service, message or config variable, an optional field of a service), and
the rest is validated again until it passes. Required top-level sections that had to go are replaced by empty
stand-ins. The checks then see a partial spec, and ask `Pruned` whether a name they cannot find or a value they
miss was left out (then it is not "unknown": its own error was already reported).

Lists lose items, so indexes in the partial spec differ from the file's; `Pruned.original` maps a path of the
partial spec back to the file, for locating diagnostics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rosec.spec.loader import PathKey

# Valid values for required top-level sections that were left out; the collections are emptied afterwards.
STAND_INS: dict[str, Any] = {
    "rose": 1,
    "system": {"name": "invalid", "domain": "invalid.invalid"},
    "environments": {"invalid": {"hosting": "kubernetes"}},
    "services": {"invalid": {}},
}
EMPTIED_STAND_INS = ("environments", "services")
_GONE = object()


@dataclass
class Pruned:
    """What was left out of the loaded data, and how list indexes moved."""

    dropped: set[PathKey] = field(default_factory=set)
    kept_indexes: dict[PathKey, list[int]] = field(default_factory=dict)
    """For each list that lost items (path in the file), the file's index of every item that was kept."""

    def __bool__(self) -> bool:
        return bool(self.dropped)

    def touched(self, path: PathKey) -> bool:
        """True when something at, inside or around path was left out: its value may differ from the file's."""
        return any(path[: len(d)] == d or d[: len(path)] == path for d in self.dropped)

    def lost_entry(self, collection: PathKey) -> bool:
        """True when an entry of the collection at the path (a map or a list), or the collection, was left out."""
        return any(len(d) <= len(collection) + 1 and (d[: len(collection)] == collection or
                                                      collection[: len(d)] == d) for d in self.dropped)

    def original(self, path: PathKey) -> PathKey:
        """The path in the file of a path in the partial data."""
        out: list[str | int] = []
        for part in path:
            kept = self.kept_indexes.get(tuple(out)) if isinstance(part, int) else None
            out.append(kept[part] if kept is not None and 0 <= part < len(kept) else part)
        return tuple(out)

    def apply(self, data: dict[str, Any]) -> dict[str, Any]:
        """A copy of data without the dropped parts (untouched branches are shared, not copied), with
        stand-ins for dropped required sections; records the index moves of the lists that lost items."""
        self.kept_indexes = {}
        trie = _trie(self.dropped)
        pruned = self._copy(data, (), trie)
        for key, value in STAND_INS.items():
            if (key,) in self.dropped:
                pruned[key] = value
        return pruned

    def _copy(self, value: Any, path: PathKey, trie: dict[Any, Any]) -> Any:
        if not trie:
            return value
        if isinstance(value, dict):
            return {k: self._copy(v, (*path, k), trie.get(k, {})) for k, v in value.items() if trie.get(k) is not _GONE}
        if isinstance(value, list):
            kept = [i for i in range(len(value)) if trie.get(i) is not _GONE]
            if len(kept) < len(value):
                self.kept_indexes[path] = kept
            return [self._copy(value[i], (*path, i), trie.get(i, {})) for i in kept]
        return value


def _trie(paths: set[PathKey]) -> dict[Any, Any]:
    """Nested dicts of the dropped paths; _GONE marks a dropped node (whatever was dropped inside it too)."""
    root: dict[Any, Any] = {}
    for path in sorted(paths, key=len):
        node = root
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if child is _GONE:
                break
            node = child
        else:
            node[path[-1]] = _GONE
    return root
