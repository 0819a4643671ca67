"""Messages and hints for names and patterned values: the rule that applies, and a did-you-mean."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rosec.spec.credentials import credential_kind
from rosec.spec.loader import PathKey


def _words(value: str) -> list[str]:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", value)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced) if w]


def _dns(value: str) -> str:
    return "-".join(w.lower() for w in _words(value))


def _pascal(value: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in _words(value))


def _upper_snake(value: str) -> str:
    return "_".join(w.upper() for w in _words(value))


def _event(value: str) -> str:
    parts = [re.sub(r"[^A-Za-z0-9_-]+", "_", part).strip("_-") for part in value.split(".")]
    return ".".join(part for part in parts if part)


def _wire(value: str) -> str:
    """A wire name without the characters it cannot have: '"', '\\', control characters, edge spaces."""
    return re.sub(r'["\\\x00-\x1f\x7f-\uffff]', "", value).strip()


def _varname(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.]+", "_", value).strip("._")


def _path(value: str) -> str:
    return re.sub(r"\{([^}]*)\}", lambda m: "{" + _varname(m.group(1)) + "}", value)


def _lower(value: str) -> str:
    return value.lower()


def _none(value: str) -> str:
    return ""


@dataclass(frozen=True)
class Rule:
    text: str
    suggest: Callable[[str], str] = _none
    conceal: bool = False  # the value may be a secret written where its name belongs: never repeat it


_DNS = "lowercase DNS labels: letters, digits and '-', starting with a letter"
_SERVICE = Rule(f"service names are {_DNS}", _dns)
_DATASTORE = Rule(f"datastore names are {_DNS}", _dns)
_MESSAGE = Rule("message names are PascalCase: a capital letter, then letters and digits", _pascal)
_EVENT = Rule("event names are dot-separated words of letters, digits, '_' and '-', starting with a letter "
              "(no '*' or '#'), e.g. order.created", _event)
_WIRE = ("printable ASCII characters except '\"' and '\\', without a space at either end (the Python and "
         "protobuf names are derived from them)")
_QUERY = Rule(f"query parameter names are {_WIRE}", _wire)
_ENV = Rule("environment variable names are UPPER_SNAKE_CASE", _upper_snake)

_RULES: dict[str, Rule] = {
    "services": _SERVICE, "calls": _SERVICE, "datastores": _DATASTORE, "uses": _DATASTORE,
    "environments": Rule(f"environment names are {_DNS}", _dns),
    "messages": _MESSAGE, "message": _MESSAGE, "request": _MESSAGE, "response": _MESSAGE,
    "events": _EVENT, "publishes": _EVENT, "consumes": _EVENT,
    "enum": Rule(f"enum values are {_WIRE}", _wire),
    "fields": Rule(f"field names are JSON keys: {_WIRE}", _wire),
    "params": Rule("path parameter names are RFC 6570 varnames: letters, digits and '_', with inner '.'", _varname),
    "query": _QUERY,
    "roles": Rule("role names are lowercase: letters, digits, '-' and '_'", _dns),
    "scopes": Rule("scope names are lowercase: letters, digits and '.', ':', '-', '_'", _lower),
    "config": _ENV, "secrets": _ENV,
    "path": Rule("paths start with '/' and use {param} segments whose names are letters, digits and '_' with "
                 "inner '.', e.g. /orders/{orderId}", _path),
    "rate_limit": Rule("write COUNT/UNIT with UNIT one of second, minute, hour, day, e.g. 100/minute"),
    "cpu": Rule("a Kubernetes CPU quantity such as 250m, 0.5 or 2"),
    "memory": Rule("a Kubernetes memory quantity such as 256Mi or 1Gi"),
    "domain": Rule("a lowercase DNS name such as shop.example.com", _lower),
    "region": Rule("an AWS region such as eu-west-1", _lower),
    "version": Rule('a version number such as "16" or "16.4"'),
    "realm": Rule(f"realm names are {_DNS}", _dns),
    "name": Rule(f"names are {_DNS}", _dns),
    "cors_origins": Rule("an origin is scheme://host[:port] with a lowercase host, no path and no wildcard, "
                         "e.g. https://app.example.com or http://localhost:3000", _lower),
    "host": Rule("a lowercase host name such as redis.internal.example.com", _lower),
    "password": Rule("write the name of the secret that holds the password (UPPER_SNAKE_CASE, e.g. ALICE_PASSWORD) "
                     "and put the password itself in .env or the secret store", conceal=True),
    "handlers_dir": Rule("a relative directory such as services/shop: no leading '/', no '.' or '..' parts"),
}
_IN_CONTEXT: dict[tuple[str, str], Rule] = {
    ("grpc", "name"): Rule("gRPC method names are PascalCase, e.g. GetOrder", _pascal),
    ("dev_users", "name"): Rule("user names are lowercase: letters, digits, '.', '_' and '-', starting with a "
                                "letter", _lower),
    ("gateway", "path"): Rule("a gateway path is a lowercase prefix such as /api/orders, without {params} "
                              "and without a trailing '/'", _lower),
}
_LIST_BODY = "a body is a single message; wrap the list in a message, e.g. OrderList with `items: list[Order]`"


def rule_for(path: PathKey, at_key: bool) -> Rule | None:
    """The naming rule of the value at path (at_key: of the key that ends path)."""
    words = [p for p in (path[:-1] if at_key else path) if isinstance(p, str)]
    if not words:
        return None
    leaf = words[-1]
    for context in reversed(words[:-1]):
        if (context, leaf) in _IN_CONTEXT:
            return _IN_CONTEXT[(context, leaf)]
    return _RULES.get(leaf)


def name_hint(kind: str, value: Any, path: PathKey, ctx: dict[str, Any], at_key: bool) -> tuple[str, str]:
    """(message, hint) for a name or patterned value that does not fit its rule."""
    what = "name" if at_key else "value"
    rule = rule_for(path, at_key)
    text = rule.text if rule else f"the {what} must match the pattern {ctx.get('pattern', '')}".strip()
    if rule and rule.conceal:
        return f"invalid {what}: a secret's name is expected here", text
    if kind == "string_too_long":
        limit = ctx.get("max_length")
        return f"{what} {value!r} is too long ({len(str(value))} characters, at most {limit})", text
    if kind == "string_too_short":
        return f"the {what} must not be empty", text
    if kind != "string_pattern_mismatch":
        return f"invalid {what} {value!r}", text
    if isinstance(value, str) and "[" in value and path and path[-1] in ("request", "response"):
        return f"invalid value {value!r}", _LIST_BODY
    # A suggestion is made from the value: never from one that may be a credential (it would repeat it).
    suggestion = rule.suggest(str(value)) if rule and not credential_kind(str(value)) else ""
    if suggestion and suggestion != value and re.match(ctx.get("pattern", "$^"), suggestion):
        return f"invalid {what} {value!r}", f"{text}; did you mean '{suggestion}'?"
    return f"invalid {what} {value!r}", text
