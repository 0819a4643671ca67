"""Runs the filter and output of a generated Logstash pipeline, as parsed by logstash-pipeline-parser, on events
built as Logstash's GELF input builds them from Docker's GELF log driver. There is no Logstash on these machines
(no registry has it): this follows the plugins' source for exactly the subset rosec generates, and refuses
anything else, so a pipeline that uses more fails here instead of being half-checked.

- gelf input 3.3.2: the payload's fields, `short_message` remapped to `message`, leading `_` stripped from the
  additional fields, `source_host` set, the GELF `timestamp` as @timestamp;
- mutate 3.5.8: `rename`, then (Filters::Base#filter_matched) `add_field` (sprintf'd; appends to an existing
  field) and `remove_field`;
- json 3.2.1 without target: every key set at the top of the event, `@timestamp` coerced (else
  `_@timestamp` and the `_timestampparsefailure` tag), `_jsonparsefailure` on invalid JSON;
- drop; `if`/`else if`/`else` with `[field] == "text"` and `"text" in [field]`;
- elasticsearch output in data stream mode: the index `<type>-<dataset>-<namespace>` of the event's
  data_stream fields, the document without @metadata.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

Event = dict[str, Any]
_FIELD_REF = re.compile(r"^(\[[^\[\]]+\])+$")
_SPRINTF = re.compile(r"%\{([^}]+)\}")


class UnsupportedError(AssertionError):
    """The pipeline uses a plugin, option or condition this emulator does not implement."""


def gelf_event(line: str, tag: str, container: str, timestamp: float) -> Event:
    """The event Logstash's gelf input makes of one line Docker's GELF driver sent for `container`."""
    return {
        "@timestamp": datetime.fromtimestamp(timestamp, UTC), "message": line, "version": "1.1",
        "host": "docker-host", "level": 6, "source_host": "172.17.0.1", "container_id": "0123abcd" * 8,
        "container_name": container, "image_name": f"{container}:latest", "image_id": "sha256:" + "ab" * 32,
        "command": "python -m main", "created": "2026-01-01T00:00:00Z", "tag": tag,
    }


def path(ref: str) -> tuple[str, ...]:
    """A Logstash field reference: `[a][b]` is a nested field, a bare name (dots included) a top-level one."""
    return tuple(re.findall(r"\[([^\[\]]+)\]", ref)) if _FIELD_REF.match(ref) else (ref,)


def get(event: Event, ref: str) -> Any:
    node: Any = event
    for part in path(ref):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def put(event: Event, ref: str, value: Any) -> None:
    *parents, last = path(ref)
    node = event
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def remove(event: Event, ref: str) -> Any:
    *parents, last = path(ref)
    node: Any = event
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
    return node.pop(last, None) if isinstance(node, dict) else None


def sprintf(event: Event, text: str) -> str:
    return _SPRINTF.sub(lambda m: str(get(event, m.group(1))), text)


def options(body: list[Any]) -> dict[str, Any]:
    return {name: value[0] if len(value) == 1 else value for name, value in body}


def pairs(value: Any) -> list[tuple[str, str]]:
    """A parsed Logstash hash, [[key, [value]], ...], as (key, value) pairs."""
    return [(key, val[0]) for key, val in value[0]] if value and isinstance(value[0], list) else []


def _mutate(event: Event, opts: dict[str, Any]) -> Event:
    for source, target in pairs([opts.pop("rename")] if "rename" in opts else []):
        if get(event, source) is not None:
            put(event, target, remove(event, source))
    for key, value in pairs([opts.pop("add_field")] if "add_field" in opts else []):
        field, text = sprintf(event, key), sprintf(event, value)
        existing = get(event, field)
        put(event, field, text if existing is None else [*(existing if isinstance(existing, list) else [existing]),
                                                         text])
    for field in opts.pop("remove_field", []):
        remove(event, field)
    opts.pop("id", None)
    if opts:
        raise UnsupportedError(f"mutate options not emulated: {sorted(opts)}")
    return event


def _tag(event: Event, tag: str) -> None:
    event.setdefault("tags", [])
    if tag not in event["tags"]:
        event["tags"].append(tag)


def _json(event: Event, opts: dict[str, Any]) -> Event:
    if set(opts) - {"id", "source"}:
        raise UnsupportedError(f"json options not emulated: {sorted(set(opts) - {'id', 'source'})}")
    source = get(event, opts["source"])
    if source is None:
        return event
    try:
        parsed = json.loads(source)
    except ValueError:
        _tag(event, "_jsonparsefailure")
        return event
    if not isinstance(parsed, dict):
        _tag(event, "_jsonparsefailure")
        return event
    stamp = parsed.pop("@timestamp", None)
    for key, value in parsed.items():
        put(event, key, value)
    if stamp is not None:
        try:
            event["@timestamp"] = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
        except ValueError:
            event["@timestamp"] = datetime.now(UTC)
            event["_@timestamp"] = str(stamp)
            _tag(event, "_timestampparsefailure")
    return event


def _condition(event: Event, condition: list[Any]) -> bool:
    if len(condition) != 3 or condition[1] not in ("==", "in"):
        raise UnsupportedError(f"condition not emulated: {condition}")
    left, operator, right = condition
    value = lambda term: get(event, term) if isinstance(term, str) and _FIELD_REF.match(term) else term  # noqa: E731
    if operator == "==":
        return bool(value(left) == value(right))
    container = value(right)
    return isinstance(container, list | str) and value(left) in container


def run_filters(event: Event, filters: list[Any]) -> Event | None:
    """The event after `filters` (a parsed filter section), or None when dropped."""
    taken = False  # whether a branch of the current if/else-if chain ran
    for name, body in filters:
        if name in ("if", "else if", "else"):
            if name == "if":
                taken = False
            if taken:
                continue
            condition, block = (None, body) if name == "else" else (body[0], body[1][0])
            if condition is None or _condition(event, condition):
                taken = True
                result = run_filters(event, block)
                if result is None:
                    return None
            continue
        opts = options(body)
        if name == "mutate":
            _mutate(event, opts)
        elif name == "json":
            _json(event, opts)
        elif name == "drop":
            return None
        else:
            raise UnsupportedError(f"filter plugin not emulated: {name}")
    return event


def elasticsearch_output(event: Event) -> tuple[str, dict[str, Any]]:
    """(data stream, document) as the elasticsearch output in data stream mode indexes the event."""
    stream = event.get("data_stream")
    if not isinstance(stream, dict):
        raise AssertionError(f"event without data_stream fields: {event}")
    document = {k: v for k, v in event.items() if k != "@metadata"}
    document["@timestamp"] = event["@timestamp"].isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return f"{stream['type']}-{stream['dataset']}-{stream['namespace']}", document


def section(parsed: list[Any], name: str) -> list[Any]:
    return next(body for section_name, body in parsed if section_name == name)
