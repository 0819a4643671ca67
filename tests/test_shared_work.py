"""Work shared by two processes: the parts of a target taken from one queue by both rendering processes, each
part rendered once, and those of a failed child rendered here; the semantic checks of a large spec run in a child
while the system is built, with the same diagnostics as in one process. Each scenario runs in a fresh interpreter
(tests/shared_work_scenarios.py): with other threads running, as in a test worker, rosec does not fork."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, GENERATED, run_scenario

from rosec.emit.manifest import read_manifest, sha256
from rosec.pipeline import load_system
from rosec.targets import BUILTIN_TARGETS
from rosec.targets.services import SERVICES_PER_PART

SCENARIOS = Path(__file__).resolve().parent / "shared_work_scenarios.py"
PARTS = 8


def scenario(name: str, argument: Path = EXAMPLES / "shop" / "rose.yaml") -> dict[str, Any]:
    return run_scenario(SCENARIOS, name, argument)


def test_both_processes_take_parts_and_each_part_is_rendered_once() -> None:
    result = scenario("parts-shared")
    assert result["order"] == ["kong", "services", "logs"], "the targets come back as asked"
    _assert_both_took_parts(result)
    pids = result["pids"]
    assert pids["kong"]["pid"] == result["own"] != pids["logs"]["pid"], "the fixed targets stay where they were"


def test_a_target_in_parts_chosen_alone_is_shared_too() -> None:
    result = scenario("parts-shared-alone")
    assert result["order"] == ["services"]
    _assert_both_took_parts(result)


def _assert_both_took_parts(result: dict[str, Any]) -> None:
    taken = result["pids"]["services"]
    assert sorted(taken) == sorted(f"part-{i}" for i in range(PARTS)), "every part, once"
    takers = set(taken.values())
    assert result["own"] in takers and len(takers) == 2, "both processes took parts"


def test_the_parts_a_failed_child_took_are_rendered_here() -> None:
    result = scenario("part-fails-in-child")
    assert result["child_took"], "the child took a part before it failed"
    pids = result["pids"]
    assert sorted(pids["services"]) == sorted(f"part-{i}" for i in range(PARTS)), "no part lost"
    assert set(pids["services"].values()) == {result["own"]} == {pids["logs"]["pid"]}, \
        "the child's target and its part rendered again here"


def test_checks_in_a_child_find_what_they_find_in_one_process() -> None:
    result = scenario("checks-forked", Path(__file__).resolve().parent / "invalid")
    assert result["specs"] > 100 and result["differ"] == [], "the same diagnostics, masked alike, in the same order"
    assert result["checked_in_children"] > 50, "the specs whose schema validated were checked in a child"


def test_a_system_that_fails_to_build_gives_way_to_the_checks_errors() -> None:
    result = scenario("build-fails-under-errors")
    assert result["invalid"] == ["fields 'tripId' and 'trip_id' of OrderLine both become the Python attribute "
                                 "'trip_id'"], "the spec's error, not the failure of building a broken system"
    assert result["valid"] == "RuntimeError: building failed", "without errors, the failure is rosec's own"


@pytest.mark.parametrize("example", ["shop", "minimal"])
def test_the_services_parts_make_up_the_committed_target(example: str) -> None:
    system = load_system(EXAMPLES / example / "rose.yaml")
    target = BUILTIN_TARGETS["services"]
    assert target.parts is not None
    parts = target.parts(system)
    assert len(parts) == 2 + -(-len(system.services) // SERVICES_PER_PART), "gRPC, system files, then services"
    union: dict[str, bytes] = {}
    for part in parts:
        files = part()
        assert not union.keys() & files.keys(), "no two parts write the same file"
        union |= files
    manifest = read_manifest(GENERATED / example)
    assert manifest is not None
    committed = {path: entry.sha256 for path, entry in manifest.files.items() if entry.target == "services"}
    assert {path: sha256(content) for path, content in union.items()} == committed, \
        "the parts write exactly the committed files of the target"
