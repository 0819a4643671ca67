"""All or nothing: an exception or a crash in the middle of a write leaves the old tree, or a journal that
`check` reports and the next build undoes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_writer import states, tree

from rosec.emit import transaction, writer
from rosec.emit.manifest import MANIFEST_NAME

OLD = {"a": "same\n", "b": "old b\n", "c": "removed\n", "d/e": "old e\n"}
NEW = {"a": "same\n", "b": "new b\n", "d/e": "new e\n", "f/g/h": "created\n"}
OPERATIONS = 5  # b, d/e, f/g/h written, c removed, the manifest

def dies_on_call(number: int | str, function: str) -> str:
    """Python source that replaces `function` (module.attribute, module imported) by a wrapper that ends the
    process at once (exit 9, no clean-up) when it is called for the number-th time, counting from 0."""
    name = function.replace(".", "_")  # each wrapper its own globals: several may be installed
    return textwrap.dedent(f"""
        import os
        real_{name}, calls_{name} = {function}, []

        def dying_{name}(*args):
            if str(len(calls_{name})) == {str(number)!r}:
                os._exit(9)
            calls_{name}.append(1)
            return real_{name}(*args)

        {function} = dying_{name}
    """)


# Runs writer.write in a child process that dies before operation LIMIT, or, with LIMIT == "commit", after
# every operation but before the commit.
CRASHING_WRITE = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from rosec.emit import transaction, writer
    from rosec.emit.files import FileTree

    out, files, limit = Path(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
    exec(sys.argv[4])
    if limit == "commit":
        exec(sys.argv[5])
    tree = FileTree()
    for path, content in files.items():
        tree.add("t", path, content.encode())
    writer.write(out, tree, "sys", "rose.yaml")
""")


def crash_while_writing(out: Path, files: dict[str, str], limit: str) -> None:
    patches = [dies_on_call(limit, "transaction._apply_operation"), dies_on_call(0, "transaction._commit")]
    done = subprocess.run([sys.executable, "-c", CRASHING_WRITE, str(out), json.dumps(files), limit, *patches],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 9, done.stderr


@pytest.fixture
def old_tree(tmp_path: Path) -> Path:
    out = tmp_path / "gen"
    writer.write(out, tree(OLD), "sys", "rose.yaml")
    return out


def test_the_scenario_has_every_kind_of_operation(old_tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[transaction.Operation] = []
    real = transaction._apply_operation
    monkeypatch.setattr(transaction, "_apply_operation", lambda *args: (seen.append(args[3]), real(*args)))
    writer.write(old_tree, tree(NEW), "sys", "rose.yaml")
    kinds = {(o.path, o.content is not None, o.existed) for o in seen}
    assert kinds == {("b", True, True), ("d/e", True, True), ("f/g/h", True, False), ("c", False, True),
                     (MANIFEST_NAME, True, True)}
    assert len(seen) == OPERATIONS


@pytest.mark.parametrize("failing", range(OPERATIONS))
def test_an_exception_in_the_middle_undoes_everything(old_tree: Path, monkeypatch: pytest.MonkeyPatch,
                                                      failing: int) -> None:
    before = states(old_tree)
    real, done = transaction._apply_operation, []

    def failing_operation(*args: object) -> None:
        if len(done) == failing:
            raise OSError("simulated I/O error")
        real(*args)  # type: ignore[arg-type]
        done.append(1)

    monkeypatch.setattr(transaction, "_apply_operation", failing_operation)
    with pytest.raises(OSError, match="simulated"):
        writer.write(old_tree, tree(NEW), "sys", "rose.yaml")
    assert states(old_tree) == before, "the old tree (bytes, inodes, mtimes, directories) is not back"
    assert not (old_tree / transaction.TRANSACTION_DIR).exists()


@pytest.mark.parametrize("limit", [*map(str, range(OPERATIONS)), "commit"])
def test_a_crash_in_the_middle_is_reported_then_undone(old_tree: Path, limit: str) -> None:
    before = states(old_tree)
    crash_while_writing(old_tree, NEW, limit)
    assert transaction.interrupted(old_tree)
    for wanted in (OLD, NEW):
        drift = writer.compare(old_tree, tree(wanted))
        assert drift.interrupted and not drift.clean, "check would call a half-written tree clean"
    transaction.recover(old_tree)
    assert states(old_tree) == before, "undoing the crashed write did not restore the old tree exactly"


def test_the_next_build_after_a_crash_undoes_it_then_writes(old_tree: Path) -> None:
    crash_while_writing(old_tree, NEW, "2")
    result = writer.write(old_tree, tree(NEW), "sys", "rose.yaml")
    assert result.undone == 2
    assert writer.compare(old_tree, tree(NEW)).clean
    assert {p for p in states(old_tree) if (old_tree / p).is_file()} == {*NEW, MANIFEST_NAME}


def test_undoing_is_idempotent_when_the_undo_itself_crashes(old_tree: Path) -> None:
    before = states(old_tree)
    crash_while_writing(old_tree, NEW, "commit")
    undo_and_die = "\n".join(["import sys", "from pathlib import Path", "from rosec.emit import transaction",
                              dies_on_call(2, "transaction.os.replace"),
                              "transaction.recover(Path(sys.argv[1]))"])
    died = subprocess.run([sys.executable, "-c", undo_and_die, str(old_tree)], capture_output=True, timeout=60)
    assert died.returncode == 9
    assert transaction.interrupted(old_tree)
    transaction.recover(old_tree)
    assert states(old_tree) == before


def test_a_crash_while_staging_leaves_the_output_untouched(old_tree: Path) -> None:
    before = states(old_tree)
    txn = old_tree / transaction.TRANSACTION_DIR
    (txn / "new").mkdir(parents=True)  # what a process that died before writing its journal leaves
    (txn / "new" / "0").write_bytes(b"half")
    assert not transaction.interrupted(old_tree)
    assert transaction.recover(old_tree) == 0
    assert states(old_tree) == before
