"""Serializers for structured output: data in, deterministic bytes out."""

from __future__ import annotations

import io
import json
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.representer import RoundTripRepresenter


class _Representer(RoundTripRepresenter):
    """Plain dicts and lists, block style; multi-line strings as literal blocks; never anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


# Strings that a YAML 1.1 reader (Helm, PyYAML, older tools) would take for a bool, null or number.
_YAML11_AMBIGUOUS = re.compile(
    r"^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~|"
    r"[-+]?[0-9_.,:]+([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|0x[0-9a-fA-F_]+|0o?[0-7_]+)$"
)


def _represent_str(representer: RoundTripRepresenter, value: str) -> Any:
    if "\n" in value:
        style: str | None = "|"
    elif value == "" or _YAML11_AMBIGUOUS.match(value):
        style = "'"
    else:
        style = None
    return representer.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Representer.add_representer(str, _represent_str)
_Representer.add_representer(dict, RoundTripRepresenter.represent_dict)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Representer = _Representer
    yaml.default_flow_style = False
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def to_yaml(data: Any, header: str = "") -> bytes:
    """YAML text in insertion order (callers build dicts in a deterministic order)."""
    stream = io.StringIO()
    _yaml().dump(data, stream)
    return (header + stream.getvalue()).encode("utf-8")


def to_json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def text(content: str) -> bytes:
    """Normalize code-like text: LF line ends and exactly one final newline."""
    return (content.replace("\r\n", "\n").rstrip("\n") + "\n").encode("utf-8")
