"""Cycles in directed graphs given as {node: [successors]} in declaration order (calls, required fields)."""

from __future__ import annotations

from collections.abc import Iterator


def cycles(graph: dict[str, list[str]]) -> Iterator[list[str]]:
    """Every cycle of the graph once, each starting at its first node in declaration order.

    Only nodes of a strongly connected component with a cycle lie on a cycle, and a walk that
    comes back to its start never leaves the start's component: the search runs on those components'
    inner edges only, which finds the same cycles as on the whole graph, without a search per node of it.
    """
    component = _components(graph)
    inner = {node: [n for n in graph.get(node, []) if component.get(n) == component[node]]
             for node in graph if component[node] is not None}
    reported: set[frozenset[str]] = set()
    for start in inner:
        cycle = _find_cycle(start, inner)
        if cycle and frozenset(cycle) not in reported:
            reported.add(frozenset(cycle))
            yield cycle


def _components(graph: dict[str, list[str]]) -> dict[str, int | None]:
    """The strongly connected component of every node (Tarjan, iterative), None where it holds no cycle
    (a single node without an edge to itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: dict[str, int | None] = {}
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph.get(root, [])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(graph.get(nxt, []))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    members = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        members.append(member)
                        if member == node:
                            break
                    cyclic = len(members) > 1 or node in graph.get(node, [])
                    for member in members:
                        found[member] = index[node] if cyclic else None
    return found


def _find_cycle(start: str, graph: dict[str, list[str]]) -> list[str] | None:
    """The first cycle through start, as [start, ..., start], in declaration order."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, trail = stack.pop()
        for nxt in reversed(graph.get(node, [])):
            if nxt == start:
                return [*trail, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*trail, nxt]))
    return None
