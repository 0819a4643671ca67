"""Rendering in two processes (rosec.render_processes): the same files as in one, the child's targets rendered in
the child, its failures raised here, and a failure here stopping the child; the handlers plan of a build
prepared in a child (rosec.forked), and the child stopped when the write is refused. Each scenario runs in a fresh
interpreter (tests/render_scenarios.py): with other threads running, as in a test worker, rosec does not fork.
Writing a new output: each process writes the files it rendered into the staging directory, and the output is the
one a single process writes; a failure leaves nothing on disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, run_scenario

SCENARIOS = Path(__file__).resolve().parent / "render_scenarios.py"


def scenario(name: str, spec: Path = EXAMPLES / "shop" / "rose.yaml") -> dict[str, Any]:
    return run_scenario(SCENARIOS, name, spec)


@pytest.mark.parametrize("example", ["shop", "minimal"])
def test_two_processes_render_what_one_renders(example: str) -> None:
    result = scenario("same-files", EXAMPLES / example / "rose.yaml")
    assert result["forked"] and not result["forked_when_told_not_to"]
    assert result["files"] > 0 and result["same_order"] and result["same_files"]
    assert result["true_digests"], "a file's SHA-256 (hashed where it was rendered) is that of its content"
    assert result["child_targets"], "the child rendered none of the example's targets"


def test_the_child_renders_the_code_targets_and_this_process_the_rest() -> None:
    result = scenario("pids")
    assert result["order"] == ["kong", "services", "helm", "compose", "logs"], "the targets come back as asked"
    pids = result["pids"]
    assert pids["kong"] == pids["helm"] == result["own"]
    assert pids["services"] == pids["logs"] == pids["compose"] != result["own"]


def test_small_systems_render_here_large_ones_in_two_unless_told_or_threads_run() -> None:
    result = scenario("defaults")
    assert not result["small"], "the shop is below the size where forking pays"
    assert result["large"] == (result["cpus"] > 1)
    assert not result["told_not_to"] and not result["with_another_thread"]


def test_a_target_that_fails_in_the_child_raises_its_error_here() -> None:
    result = scenario("child-fails")
    assert result["error"] == f"failed in {result['own']}", "rendered again here, the target raised here"


def test_a_failure_here_stops_the_child() -> None:
    result = scenario("parent-fails")
    assert result["error"] == "here"
    assert result["child_gone"], "the child was killed and reaped, not left running or as a zombie"


def test_the_handlers_plan_prepared_in_a_child_is_the_one_prepared_here() -> None:
    result = scenario("handlers-plan")
    assert result["forked"] and result["same"]
    assert result["scaffolds"] > 0, "a project without handlers gets every module scaffolded"


def test_a_refused_write_leaves_no_child_and_scaffolds_nothing() -> None:
    result = scenario("refused-build")
    assert result["refused"], "the writer refuses a directory it did not write"
    assert not result["child_left"], "the child preparing the handlers plan was killed and reaped"
    assert result["written"] == ["out/mine.txt"], "nothing but the user's file on disk"


@pytest.mark.parametrize("example", ["shop", "minimal"])
def test_a_new_output_written_by_two_processes_is_the_one_written_by_one(example: str) -> None:
    result = scenario("staged-build", EXAMPLES / example / "rose.yaml")
    assert result["staged_by"] == ["child", "here"], "each process writes the files it rendered"
    assert result["unstaged"] == 0, "no content was sent back to be written after rendering"
    assert result["files"] > 0 and result["same_output"], "the same files, bytes and manifest as in one process"
    assert result["mode"] == "0o644", "staged files get the mode of written ones"
    assert result["noop_wrote_nothing"], "the record of the staged build proves the next build has nothing to do"


def test_a_failure_while_staging_leaves_nothing_on_disk() -> None:
    result = scenario("staging-fails")
    assert result["child_error"] == f"failed in {result['own']}", "the child's target failed again here"
    assert result["unsafe_error"] is not None and "unsafe output path" in result["unsafe_error"]
    assert result["left"] == [], "the staging directory and every file written into it are gone"
