"""The semantic checks that were rewritten to scale (cycles, gateway routes) report exactly what the plain
pairwise algorithms report: compared on seeded random inputs with those algorithms, kept here as references."""

from __future__ import annotations

import random
from types import SimpleNamespace
from typing import Any

from rosec.model import checks, graphs


def reference_cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """A search from every node over the whole graph (quadratic): the first cycle through each, once."""
    found: list[list[str]] = []
    reported: set[frozenset[str]] = set()
    for start in graph:
        stack: list[tuple[str, list[str]]] = [(start, [start])]
        seen: set[str] = set()
        cycle = None
        while stack and cycle is None:
            node, trail = stack.pop()
            for nxt in reversed(graph.get(node, [])):
                if nxt == start:
                    cycle = [*trail, start]
                    break
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*trail, nxt]))
        if cycle and frozenset(cycle) not in reported:
            reported.add(frozenset(cycle))
            found.append(cycle)
    return found


def reference_gateway_errors(routes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Every route against every earlier one (quadratic): the first with the same, a nested or an outer path."""
    errors = []
    for i, (name, path) in enumerate(routes):
        for other, other_path in routes[:i]:
            if path == other_path:
                errors.append((name, f"gateway path {path} is already used by service '{other}'"))
            elif path.startswith(other_path + "/") or other_path.startswith(path + "/"):
                errors.append((name, f"gateway path {path} overlaps {other_path} of service '{other}'"))
            else:
                continue
            break
    return errors


def test_cycles_are_those_of_a_search_from_every_node() -> None:
    rng = random.Random(7)
    for _ in range(3000):
        names = [f"n{i}" for i in rng.sample(range(30), rng.randint(1, 10))]
        graph = {a: [rng.choice(names) for _ in range(rng.randint(0, 3))] for a in names}
        if rng.random() < 0.5:  # the call graph has no edges to the node itself
            graph = {a: [b for b in targets if b != a] for a, targets in graph.items()}
        assert list(graphs.cycles(graph)) == reference_cycles(graph), graph


def test_gateway_routes_are_compared_like_every_pair() -> None:
    rng = random.Random(11)
    segments = ["a", "b", "ab", "a-b", "api"]
    for _ in range(3000):
        paths = ["/" + "/".join(rng.choice(segments) for _ in range(rng.randint(1, 3)))
                 for _ in range(rng.randint(1, 9))]
        services = {f"s{i}": SimpleNamespace(gateway=SimpleNamespace(path=p) if rng.random() < 0.9 else None)
                    for i, p in enumerate(paths)}
        found: list[tuple[str, str]] = []

        def error(path: tuple[Any, ...], message: str, hint: str = "", found: list[tuple[str, str]] = found) -> None:
            found.append((path[1], message))

        checker = SimpleNamespace(spec=SimpleNamespace(services=services), error=error)
        checks.Checker.check_gateway_routes(checker)  # type: ignore[arg-type]
        routes = [(n, s.gateway.path) for n, s in services.items() if s.gateway]
        assert found == reference_gateway_errors(routes), routes
