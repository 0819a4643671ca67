"""A spec whose every name is as long as the language allows, built from the limits in rosec's code: what the real
tools accept for it, they accept for any spec. Long free text (descriptions, summaries) with quotes, backslashes,
non-ASCII characters and a word longer than a line comes with it."""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import tempfile
from pathlib import Path

from rosec.model.length_checks import MAX_IDENTIFIER
from rosec.model.naming import snake_case
from rosec.spec import models, names

MAX_NAME: int = inspect.signature(models.Name).parameters["max_length"].default  # messages, events, roles, ...
WORDS = ("customs", "declaration", "shipment", "border", "warehouse", "tariff", "origin", "parcel", "carrier")
TEXT = ('A "quoted" remark with a backslash \\ and ünïcödé, then a sentence that goes on long past the width of any '
        "line of code, and a word longer than a line: https://example.com/" + "very-long-path-segment" * 7 + ".\n\n"
        "A second paragraph, also long enough to need more than one line of a docstring when it is wrapped at "
        "the width of generated code.")


def snake(prefix: str, length: int) -> str:
    """A snake_case identifier of exactly `length` characters."""
    words, i = prefix, 0
    while len(words) < length:
        words += "_" + WORDS[i % len(WORDS)]
        i += 1
    name = words[:length]
    return name[:-1] + "x" if name.endswith("_") else name


def pascal(prefix: str, length: int) -> str:
    return "".join(word.capitalize() for word in snake(prefix.lower(), length * 2).split("_"))[:length]


def kebab(prefix: str, length: int) -> str:
    return snake(prefix, length).replace("_", "-")


def upper(prefix: str, length: int) -> str:
    return snake(prefix, length).upper()


def method_with_handler(prefix: str) -> str:
    """A gRPC method name whose snake_case handler has exactly MAX_IDENTIFIER characters."""
    words = snake(prefix, MAX_IDENTIFIER).split("_")
    name = "".join(word.capitalize() for word in words)
    assert len(snake_case(name)) == MAX_IDENTIFIER, name
    return name


def path_with_handler(method: str, param: str) -> str:
    """A path `/<segment>/{param}` whose handler (method_segment_by_param) has exactly MAX_IDENTIFIER characters."""
    segment = MAX_IDENTIFIER - len(method) - len("__by_") - len(param)
    return f"/{kebab('route', segment)}/{{{param}}}"


def spec() -> dict[str, object]:
    system = kebab("limits", names.MAX_SYSTEM_NAME)
    server, client, empty = (kebab(prefix, names.MAX_SERVICE_NAME) for prefix in ("server", "client", "empty"))
    record, line, enum, query = (pascal(prefix, MAX_NAME) for prefix in ("Record", "Line", "Status", "Query"))
    event = ".".join(snake("event", MAX_NAME).split("_", 1))
    roles = [kebab(f"role{i}", MAX_NAME) for i in range(3)]
    field = snake("field", MAX_IDENTIFIER)
    param = snake("param", 30)
    scalars = ("string", "int", "float", "bool", "bytes", "uuid", "decimal", "date", "datetime")
    fields = {snake(f"{scalar}_field", MAX_IDENTIFIER): scalar for scalar in scalars}
    fields |= {snake(f"optional_{scalar}", MAX_IDENTIFIER): f"optional[{scalar}]" for scalar in scalars}
    fields |= {
        field: f"list[{line}]",
        snake("map_field", MAX_IDENTIFIER): f"map[string, {line}]",
        snake("enum_map_by_text", MAX_IDENTIFIER): f"map[string, {enum}]",
        snake("enum_field", MAX_IDENTIFIER): enum,
        snake("enum_list", MAX_IDENTIFIER): f"list[{enum}]",
        snake("optional_enum", MAX_IDENTIFIER): f"optional[{enum}]",
        snake("enum_map", MAX_IDENTIFIER): f"map[int, {enum}]",
    }
    messages = {
        enum: {"enum": [snake(f"value{i}", MAX_IDENTIFIER) for i in range(3)], "description": TEXT},
        line: {"fields": {field: "decimal", snake("count", MAX_IDENTIFIER): "int"}, "description": TEXT},
        record: {"fields": fields, "description": TEXT},
        query: {"fields": {snake("identifier", MAX_IDENTIFIER): "uuid"}},
    }
    stores = {kebab("postgres", names.MAX_SERVICE_NAME): {"engine": "postgres"},
              kebab("volume", names.MAX_SERVICE_NAME): {"engine": "volume"}}
    query_params = {snake("query_enum", MAX_IDENTIFIER): f"optional[{enum}]",
                    snake("query_list", MAX_IDENTIFIER): "list[string]", snake("query_int", MAX_IDENTIFIER): "int",
                    snake("query_time", MAX_IDENTIFIER): "optional[datetime]"}
    rest = [
        {"method": "POST", "path": path_with_handler("post", param), "params": {param: "uuid"}, "request": record,
         "response": record, "roles": roles, "summary": TEXT},
        {"method": "GET", "path": path_with_handler("get", param), "params": {param: "string"},
         "query": query_params, "response": record, "roles": roles[:1]},
        {"method": "PUT", "path": path_with_handler("put", param), "params": {param: "uuid"}, "request": record,
         "query": query_params},
        {"method": "DELETE", "path": path_with_handler("delete", param), "params": {param: "uuid"}, "public": True},
    ]
    grpc = [
        {"name": method_with_handler(f"m{kind}"), "request": query, "response": record,
         "client_streaming": kind in "cb", "server_streaming": kind in "sb", "roles": roles, "summary": TEXT}
        for kind in "ucsb"  # unary, client, server, bidirectional streaming
    ]
    config = {upper("config", MAX_NAME): TEXT.split("\n")[0], upper("limit", MAX_NAME): 500}
    return {
        "rose": 1,
        "system": {"name": system, "domain": f"{kebab('domain', 63)}.example.com", "description": TEXT,
                   "handlers_dir": "handlers"},
        "environments": {"dev": {"hosting": "compose"}, "prod": {"hosting": "aws", "region": "eu-west-1"}},
        "identity": {"realm": kebab("realm", 40), "roles": roles},
        "observability": {"metrics": True, "logs": True, "sentry": True},
        "messages": messages,
        "events": {event: {"message": record, "description": TEXT}},
        "datastores": stores,
        "services": {
            server: {"description": TEXT, "rest": rest, "grpc": grpc, "publishes": [event], "uses": list(stores),
                     "gateway": {"path": "/api/" + kebab("gateway", 50)}, "config": config,
                     "secrets": [upper("secret", MAX_NAME)]},
            client: {"consumes": [event], "calls": [server], "description": TEXT},
            empty: {"description": TEXT},
        },
    }


def limits_spec() -> Path:
    """The spec as a file (JSON is YAML): written once per content into the temporary directory."""
    text = json.dumps(spec(), indent=2, ensure_ascii=False) + "\n"
    directory = Path(tempfile.gettempdir()) / f"rosec-limits-{hashlib.sha256(text.encode()).hexdigest()[:12]}"
    path = directory / "limits.rose.yaml"
    if not path.exists():
        directory.mkdir(exist_ok=True)
        partial = directory / f".{os.getpid()}.tmp"
        partial.write_text(text, "utf-8")
        partial.replace(path)  # atomic: test processes running at once all read a whole file
    return path
