"""The charts of every kubernetes environment of every example and of a synthetic spec, rendered once per
process."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import example_specs

from charts.support import Rendered, render_environment
from charts.synthetic import synthetic_system
from rosec.model import kubernetes as k8s
from rosec.pipeline import load_system

CASES = sorted({(spec.parent.name, env.name) for spec in example_specs()
                for env in k8s.kubernetes_environments(load_system(spec))} | {("synthetic", "cluster")})


@pytest.fixture(scope="session")
def rendered_charts(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str], Rendered]:
    cache: dict[tuple[str, str], Rendered] = {}
    specs = {spec.parent.name: spec for spec in example_specs()}

    def get(example: str, environment: str) -> Rendered:
        if (example, environment) not in cache:
            out = tmp_path_factory.mktemp(f"{example}-{environment}")
            system = (synthetic_system(tmp_path_factory.mktemp("spec")) if example == "synthetic"
                      else load_system(specs[example]))
            cache[(example, environment)] = render_environment(system, environment, out)
        return cache[(example, environment)]

    return get


@pytest.fixture(params=CASES, ids=lambda case: "-".join(case))
def rendered(request: pytest.FixtureRequest, rendered_charts: Callable[[str, str], Rendered]) -> Rendered:
    return rendered_charts(*request.param)
