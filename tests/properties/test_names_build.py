"""Nothing that validates can fail to build.

A property test over specs whose names collide on purpose in every namespace (spec_strategies.py): when
`rosec validate` accepts a spec, the build succeeds, every .proto compiles, every generated module imports and
every service's app objects are constructed (build_check.py). Failures show the shrunk spec as YAML.

Derandomized and bounded (the `rosec` profile, about a minute); ROSEC_HYPOTHESIS_PROFILE=rosec-long runs far more
examples, e.g. before a release: `ROSEC_HYPOTHESIS_PROFILE=rosec-long pytest tests/properties -s`.
The valid-spec corpus (tests/valid/ and spec-examples/) goes through the same chain, one test each.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from build_check import ImportProbe, build_and_probe
from conftest import example_specs
from hypothesis import HealthCheck, given, note, settings
from spec_strategies import spec_text, specs

VALID = sorted((Path(__file__).resolve().parents[1] / "valid").glob("*.yaml"))
# Most generated specs must validate, or the test would exercise the resolver and not the build.
MIN_VALID_SHARE = 0.5

settings.register_profile("rosec", max_examples=500, derandomize=True, deadline=None, database=None,
                          print_blob=False, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("rosec-long", parent=settings.get_profile("rosec"), max_examples=3000)
PROFILE = os.environ.get("ROSEC_HYPOTHESIS_PROFILE", "rosec")


@pytest.fixture(scope="module")
def probe() -> Iterator[ImportProbe]:
    server = ImportProbe()
    try:
        yield server
    finally:
        server.close()


@pytest.mark.long(seconds=60)
def test_every_spec_that_validates_builds_compiles_and_imports(probe: ImportProbe, tmp_path: Path) -> None:
    outcomes: Counter[str] = Counter()

    @settings(settings.get_profile(PROFILE))
    @given(spec=specs())
    def check(spec: dict[str, Any]) -> None:
        text = spec_text(spec)
        note(f"rose.yaml:\n{text}")
        try:
            outcome = build_and_probe(text, tmp_path / "project", probe)
        except Exception as error:
            raise AssertionError(f"validate accepted this spec, but it does not build:\n{text}\n{error}") from error
        outcomes["valid" if outcome.system else "rejected"] += 1

    check()
    total = sum(outcomes.values())
    share = outcomes["valid"] / total
    print(f"\n{outcomes['valid']} of {total} generated specs validated ({share:.0%}) and built, compiled, imported")
    assert share >= MIN_VALID_SHARE, f"only {share:.0%} of the generated specs validate: bias the strategies"


@pytest.mark.parametrize("spec", [*example_specs(), *VALID], ids=lambda p: p.parent.name if p.name == "rose.yaml"
                         else p.stem)
def test_valid_specs_build_compile_and_import(spec: Path, probe: ImportProbe, tmp_path: Path) -> None:
    outcome = build_and_probe(spec.read_text("utf-8"), tmp_path / "project", probe)
    assert outcome.system is not None, [d.render() for d in outcome.diagnostics]
    assert outcome.modules >= len(outcome.system.services)
