"""Compose rose.yaml with libyaml (PyYAML's C parser), resolving plain scalars like ruamel.yaml does (YAML 1.2).

ruamel.yaml's pure-Python round-trip composer is the reference: it keeps every error message and location the
invalid-spec corpus pins. It is also slow (~10 s for a 1000-service spec), so the loader first tries this fast
path and falls back to ruamel for everything this module does not promise to read identically:

- a document that holds a tag (`!`) or may hold a directive (`%`): explicit tags stay ruamel's business;
- a document with a tab outside a comment and a one-line quoted scalar (libyaml accepts tabs as separators
  and inside plain scalars where ruamel reports an error), with one of the line breaks NEL, LS, PS or a BOM
  inside the text (the two count lines and columns differently there), with a block scalar header that ruamel
  reads more strictly, or with an anchor or alias (whose names the two end at different characters); see
  pure_only;
- any YAML error, more or less than one document: ruamel reports it, exactly as before;
- no libyaml (PyYAML missing or built without it): `compose` returns None.

libyaml resolves plain scalars with YAML 1.1 rules (yes/no/on/off are bools, 0777 is octal, 1:30 is a number).
The resolver below replaces them with ruamel's YAML 1.2 rules (the table `implicit_resolvers` of
ruamel.yaml.resolver, copied so that this path does not import ruamel; tests compare the two), and
`construct_scalar` builds the value of every tag that resolution can produce the way ruamel's SafeConstructor
does, handing the rare ones (timestamps) to ruamel. Nodes keep libyaml's marks: line and column of every node.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from typing import Any

try:
    from yaml import AliasEvent as _AliasEvent
    from yaml import CSafeLoader as _CSafeLoader
    from yaml import MappingNode as _MappingNode
    from yaml import ScalarEvent as _ScalarEvent
    from yaml import ScalarNode as _ScalarNode
    from yaml import SequenceNode as _SequenceNode
    from yaml import YAMLError as _YAMLError
except ImportError:  # pragma: no cover - PyYAML is a dependency; a build without libyaml has no CSafeLoader
    _CSafeLoader = None

STR_TAG = "tag:yaml.org,2002:str"
SEQ_TAG = "tag:yaml.org,2002:seq"
MAP_TAG = "tag:yaml.org,2002:map"
NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"

# ruamel.yaml.resolver.implicit_resolvers, the entries for YAML 1.2, in ruamel's order: (tag, regexp, first chars).
IMPLICIT_RESOLVERS_1_2: list[tuple[str, re.Pattern[str], list[str]]] = [
    (BOOL_TAG, re.compile("""^(?:true|True|TRUE|false|False|FALSE)$""", re.X), list("tTfF")),
    (FLOAT_TAG, re.compile("""^(?:
         [-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\\.(?:inf|Inf|INF)
        |\\.(?:nan|NaN|NAN))$""", re.X), list("-+0123456789.")),
    (INT_TAG, re.compile("""^(?:[-+]?0b[0-1_]+
        |[-+]?0o?[0-7_]+
        |[-+]?[0-9_]+
        |[-+]?0x[0-9a-fA-F_]+)$""", re.X), list("-+0123456789")),
    ("tag:yaml.org,2002:merge", re.compile("^(?:<<)$"), ["<"]),
    (NULL_TAG, re.compile("""^(?: ~
        |null|Null|NULL
        | )$""", re.X), ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:timestamp", re.compile("""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
        (?:[Tt]|[ \\t]+)[0-9][0-9]?
        :[0-9][0-9] :[0-9][0-9] (?:\\.[0-9]*)?
        (?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""", re.X), list("0123456789")),
    ("tag:yaml.org,2002:value", re.compile("^(?:=)$"), ["="]),
    ("tag:yaml.org,2002:yaml", re.compile("^(?:!|&|\\*)$"), list("!&*")),
]

_BY_FIRST: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
for _tag, _regexp, _first in IMPLICIT_RESOLVERS_1_2:
    for _char in _first:
        _BY_FIRST.setdefault(_char, []).append((_tag, _regexp))

# What sends a document to ruamel: characters that libyaml and ruamel read differently (the line breaks NEL, LS
# and PS, a BOM inside the text), a `%` that starts a directive, tabs where libyaml's parse does not show them
# in a comment or a one-line quoted scalar, and some tokens:
_SPECIAL_CHARS = re.compile("[\x85\u2028\u2029\ufeff]")
_AFTER_TOKEN_START = {
    "!": re.compile("!"),  # a tag (explicit tags stay ruamel's business), or text: `status != 200`, `# now !`
    # a block scalar header where ruamel is stricter than libyaml: one followed by other text than a comment
    # after a space (`|#`), and one whose first line is blank (ruamel rejects a more indented line after it);
    # or text: `price >= 5`, `# latency >200ms`
    "|": re.compile(r"[|>][-+0-9]*(?:[^-+0-9\s]|[ ]*(?:#[^\r\n]*)?\r?\n[ ]*(?:\r?\n|$))", re.MULTILINE),
    # an anchor or alias whose name goes on with other characters than libyaml's [A-Za-z0-9_-] (`&a:` is the
    # anchor `a:` for ruamel, YAML 1.2, and the anchor `a` of a key for libyaml)
    "&": re.compile(r"[&*][A-Za-z0-9_-]*[^A-Za-z0-9_\s,\]}-]"),
}
_AFTER_TOKEN_START[">"] = _AFTER_TOKEN_START["|"]
_AFTER_TOKEN_START["*"] = _AFTER_TOKEN_START["&"]
_TOKEN_SEPARATORS = frozenset(",[]{}:")
_BLOCK_STYLES = ("|", ">")
_QUOTED_STYLES = ("'", '"')


def pure_only(text: str) -> bool:
    """Whether ruamel must compose text (see the module doc). Each kind of trouble is first searched for in the
    text, cheaply. What looks like a tag, a block scalar header that ruamel reads more strictly, or an anchor or
    alias of another name, is often text (`expr: status != 200`, `# latency >200ms`, `schedule: "0 3 * * *"`):
    such a document goes to ruamel only if libyaml's parser finds a tag, an anchor or an alias in it, or a block
    scalar with such a header (the parse takes 0.3 s for 1000 services; ruamel's composer takes 14-18 s). So
    does a document with a tab, unless the parse shows every tab in a comment or a one-line quoted scalar,
    where the two read it alike (`# a<TAB>note`, `summary: "a<TAB>b"`)."""
    if _SPECIAL_CHARS.search(text) or text.startswith("%") or "\n%" in text or "\r%" in text:
        return True
    return ("\t" in text or any(_token_start(text, char, pattern) for char, pattern in _AFTER_TOKEN_START.items())) \
        and _parse_needs_ruamel(text)


def _token_start(text: str, char: str, pattern: re.Pattern[str]) -> bool:
    """Whether `char` starts a match of `pattern` where a token may start (after a space, or a flow indicator
    for the properties)."""
    at = text.find(char)
    while at != -1:
        before = text[at - 1] if at else " "
        if (before.isspace() or (char not in _BLOCK_STYLES and before in _TOKEN_SEPARATORS)) \
                and pattern.match(text, at):
            return True
        at = text.find(char, at + 1)
    return False


def _parse_needs_ruamel(text: str) -> bool:
    """Whether libyaml parses a tag, an anchor or an alias in text, a block scalar whose header ruamel reads
    more strictly, or a tab elsewhere than in a comment or a one-line quoted scalar; True when it cannot parse
    text (ruamel reports)."""
    if _CSafeLoader is None:
        return True
    strict_header = _AFTER_TOKEN_START["|"]
    scalars: list[tuple[int, int, bool]] = []  # (start, end, one-line quoted) of every scalar, in text order
    parser = _CSafeLoader(text)
    try:
        while parser.check_event():
            event = parser.get_event()
            if (isinstance(event, _AliasEvent) or getattr(event, "anchor", None) is not None
                    or getattr(event, "tag", None) is not None):
                return True
            style = getattr(event, "style", None)
            if style in _BLOCK_STYLES and strict_header.match(text, event.start_mark.index):
                return True
            if isinstance(event, _ScalarEvent):
                start, end = event.start_mark, event.end_mark
                scalars.append((start.index, end.index, style in _QUOTED_STYLES and start.line == end.line))
    except (_YAMLError, RecursionError, ValueError, TypeError):
        return True
    finally:
        parser.dispose()
    return "\t" in text and not _tabs_read_alike(text, scalars)


def _tabs_read_alike(text: str, scalars: list[tuple[int, int, bool]]) -> bool:
    """Whether every tab of text is inside a one-line quoted scalar or a comment (after a `#` that starts one:
    outside the scalars, at the start of its line or after a space). `scalars`: (start, end, one-line quoted)
    of every scalar libyaml parsed, in text order (marks count characters, as str indexes do)."""
    starts = [start for start, _, _ in scalars]

    def scalar_at(at: int) -> tuple[int, int, bool] | None:
        i = bisect_right(starts, at) - 1
        return scalars[i] if i >= 0 and at < scalars[i][1] else None

    tab = text.find("\t")
    while tab != -1:
        inside = scalar_at(tab)
        if inside is not None:
            if not inside[2]:
                return False
        else:
            line_start = max(text.rfind("\n", 0, tab), text.rfind("\r", 0, tab)) + 1
            comment = text.find("#", line_start, tab)
            while comment != -1 and not ((comment == line_start or text[comment - 1] == " ")
                                         and scalar_at(comment) is None):
                comment = text.find("#", comment + 1, tab)
            if comment == -1:
                return False
        tab = text.find("\t", tab + 1)
    return True


_INF = float("inf")
_NAN = -_INF / _INF  # as ruamel makes its quiet NaN


def available() -> bool:
    return _CSafeLoader is not None


@lru_cache(maxsize=1 << 14)  # a spec repeats its keys and many of its values
def resolve_plain(value: str) -> str:
    """The tag ruamel.yaml (YAML 1.2) gives a plain scalar."""
    for tag, regexp in _BY_FIRST.get(value[:1], ()):
        if regexp.match(value):
            return tag
    return STR_TAG


if _CSafeLoader is not None:

    class _Loader(_CSafeLoader):  # type: ignore[misc,valid-type]
        """libyaml's parser and composer; only the resolution of implicit tags is ours."""

        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            if kind is _ScalarNode:
                return resolve_plain(value) if implicit[0] else STR_TAG
            return SEQ_TAG if kind is _SequenceNode else MAP_TAG

        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            return None

        def ascend_resolver(self) -> None:
            return None


def compose(text: str) -> Any | None:
    """The one document of text as libyaml nodes, or None when ruamel must compose it (see the module doc)."""
    if _CSafeLoader is None or pure_only(text):
        return None
    loader = _Loader(text)
    try:
        return loader.get_single_node()  # None for an empty stream: ruamel reports it
    except (_YAMLError, RecursionError, ValueError, TypeError):
        return None
    finally:
        loader.dispose()


def construct_scalar(node: Any) -> Any:
    """The value of a scalar of this module's nodes, as ruamel's SafeConstructor (YAML 1.2) builds it.

    Raises LookupError for a tag it leaves to ruamel (timestamps, `=`, `<<` as a value).
    """
    tag, value = node.tag, node.value
    if tag == STR_TAG:
        return value
    if tag == NULL_TAG:
        return None
    if tag == BOOL_TAG:
        return value.lower() == "true"
    if tag == INT_TAG:
        return _int(value)
    if tag == FLOAT_TAG:
        return _float(value)
    raise LookupError(tag)


def _int(text: str) -> int:
    digits = text.replace("_", "")
    sign = -1 if digits[0] == "-" else 1
    if digits[0] in "+-":
        digits = digits[1:]
    if digits == "0":
        return 0
    for prefix, base in (("0b", 2), ("0x", 16), ("0o", 8)):
        if digits.startswith(prefix):
            return sign * int(digits[2:], base)
    return sign * int(digits)


def _float(text: str) -> float:
    digits = text.replace("_", "").lower()
    sign = -1 if digits[0] == "-" else 1
    if digits[0] in "+-":
        digits = digits[1:]
    if digits == ".inf":
        return sign * _INF
    if digits == ".nan":
        return _NAN
    return sign * float(digits)


def is_fast(node: Any) -> bool:
    """A node composed by this module (not by ruamel)."""
    return _CSafeLoader is not None and isinstance(node, _ScalarNode | _SequenceNode | _MappingNode)


def as_ruamel(node: Any) -> Any:
    """A scalar of this module as a ruamel.yaml node, for ruamel's constructor."""
    from ruamel.yaml.nodes import ScalarNode

    return ScalarNode(node.tag, node.value, node.start_mark, node.end_mark, style=node.style)
