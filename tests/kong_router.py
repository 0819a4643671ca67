"""A small emulation of Kong 3.9's router (flavor traditional_compatible) for the routes rosec generates.

What it follows (kong/router/transform.lua, kong/router/atc.lua and atc-router's interpreter at tag 3.9.1):
- a route matches when the request's protocol is one of its `protocols`, its method one of its `methods` (or it
  lists none), and its path matches one of its `paths`: a path starting with `~` is a regular expression anchored
  at the start (Kong prepends `^`; `(?<name>` becomes Rust's `(?P<name>`), any other path is a prefix;
- among the matching routes the highest priority wins: (match weight = how many of methods, hosts, headers,
  paths, snis, sources, destinations are set; regex or not; regex_priority for regex paths; prefix length);
- the request-transformer of a route's service with `replace.uri: $(uri_captures.NAME)` sends the upstream the
  regex's group NAME; without it, with strip_path false, the request's path.

Two matching routes with the same priority are ambiguous here (Kong would pick one by an order nobody should rely
on): `route` raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_CAPTURE_TEMPLATE = re.compile(r"^\$\(uri_captures\.([A-Za-z_][A-Za-z0-9_]*)\)$")
_MATCH_FIELDS = ("sources", "destinations", "methods", "hosts", "headers", "snis", "paths")


class AmbiguousRoute(Exception):  # noqa: N818 - what it is
    pass


@dataclass(frozen=True)
class Match:
    route: dict[str, Any]
    service: dict[str, Any]
    upstream_path: str


def routes_of(config: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(route, service) for every route of a declarative configuration (nested under its service)."""
    return [(route, service) for service in config.get("services", []) for route in service.get("routes", [])]


def _path_match(path: str, pattern: str) -> re.Match[str] | None:
    if pattern.startswith("~"):
        return re.match("^" + pattern[1:].replace("(?<", "(?P<"), path)
    return re.match(re.escape(pattern), path)


def _priority(route: dict[str, Any]) -> tuple[int, ...]:
    weight = sum(1 for field in _MATCH_FIELDS if route.get(field))
    paths = route.get("paths") or []
    regex = bool(paths) and paths[0].startswith("~")
    assert all(p.startswith("~") == regex for p in paths), "Kong refuses to mix regex and prefix paths in a route"
    length = 0 if regex or not paths else len(paths[0])
    return weight, int(regex), route.get("regex_priority", 0) if regex else 0, length


def route(config: dict[str, Any], protocol: str, method: str | None, path: str) -> Match | None:
    """The route Kong picks for a request, or None (Kong answers 404 "no Route matched")."""
    found: list[tuple[tuple[int, ...], dict[str, Any], dict[str, Any], re.Match[str] | None]] = []
    for candidate, service in routes_of(config):
        if protocol not in candidate.get("protocols", ("http", "https")):
            continue
        if candidate.get("methods") and method not in candidate["methods"]:
            continue
        matched = [m for p in candidate.get("paths") or [] if (m := _path_match(path, p))]
        if candidate.get("paths") and not matched:
            continue
        found.append((_priority(candidate), candidate, service, matched[0] if matched else None))
    if not found:
        return None
    found.sort(key=lambda item: item[0], reverse=True)
    if len(found) > 1 and found[0][0] == found[1][0]:
        raise AmbiguousRoute(f"{method} {path}: {found[0][1]['name']} and {found[1][1]['name']} tie")
    _, chosen, service, match = found[0]
    return Match(chosen, service, _upstream_path(service, path, match))


def _upstream_path(service: dict[str, Any], path: str, match: re.Match[str] | None) -> str:
    for plugin in service.get("plugins", []):
        uri = plugin["name"] == "request-transformer" and plugin["config"].get("replace", {}).get("uri")
        template = _CAPTURE_TEMPLATE.match(uri) if uri else None
        if template:
            assert match is not None, "uri_captures need a regex path"
            return match.group(template.group(1))
    return path
