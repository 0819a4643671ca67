"""Fixtures of the quality tests: the generated trees, built once per test process (pytest-xdist worker)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from quality.trees import SPECS, Tree, build_tree


@pytest.fixture(scope="session")
def built_trees(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Tree]:
    root = tmp_path_factory.mktemp("trees")
    cache: dict[str, Tree] = {}

    def get(name: str) -> Tree:
        if name not in cache:
            cache[name] = build_tree(name, root)
        return cache[name]

    return get


@pytest.fixture(params=sorted(SPECS))
def tree(request: pytest.FixtureRequest, built_trees: Callable[[str], Tree]) -> Tree:
    return built_trees(request.param)
