"""All-or-nothing changes to an existing output directory, touching only the files that change.

A transaction lives in `<out>/.rosec-txn/` (inside the output, so that every rename stays on one file system):

1. stage: every new content is written to `new/<n>` (nothing in the output has changed yet);
2. journal: `journal.json` lists the operations (write or delete a path, and whether the path existed) and the
   directories to create; it is flushed to disk before anything in the output changes;
3. apply, in journal order (the manifest comes last): a file that is replaced is first hard-linked to `old/<n>`,
   then `new/<n>` is renamed over it, so the path never disappears and readers see the old or the new file; a
   deleted file is renamed to `old/<n>`;
4. commit: the journal is removed, then the transaction directory.

On an exception while applying (a failing disk, Ctrl-C) the operations done so far are undone from the journal
before the exception propagates: restored files get their old inode back, created files and directories are
removed. If the process dies instead (kill -9, power cut), the journal stays; `rosec check` reports the output as
interrupted, and the next `rosec build` undoes the same way (`recover`) before it builds. Undoing is idempotent,
so a crash while undoing is recovered by undoing again. A concurrent build of the same output waits for the
first one (an advisory lock on the output directory, where the platform has flock).

Durability against a power cut relies on the file system ordering renames after the data they expose (ext4's
default data=ordered with auto_da_alloc, XFS, btrfs, APFS); only the journal is explicitly flushed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from rosec.emit.disk import write_file, write_files

TRANSACTION_DIR = ".rosec-txn"
JOURNAL = "journal.json"

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory lock, concurrent builds of one output are on you
    fcntl = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Operation:
    path: str  # relative to the output directory, POSIX separators
    content: bytes | None  # None: delete the file
    existed: bool  # the path held a file when the transaction was planned


def transaction_dir(out_dir: Path) -> Path:
    return out_dir / TRANSACTION_DIR


def interrupted(out_dir: Path) -> bool:
    """Whether a transaction on out_dir was interrupted (its journal is still there)."""
    return (transaction_dir(out_dir) / JOURNAL).exists()


@contextlib.contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """Hold the advisory lock of out_dir (an existing directory) for the block."""
    if fcntl is None:
        yield
        return
    fd = os.open(out_dir, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def recover(out_dir: Path) -> int:
    """Undo an interrupted transaction and remove its leftovers; the number of operations undone."""
    txn = transaction_dir(out_dir)
    if not txn.exists():
        return 0
    undone = 0
    try:
        journal = json.loads((txn / JOURNAL).read_bytes())
    except FileNotFoundError:
        journal = None  # died while staging, before the journal was there: nothing in the output was touched
    if journal is not None:
        undone = _undo(out_dir, txn, journal)
        (txn / JOURNAL).unlink()
    shutil.rmtree(txn)
    return undone


def apply(out_dir: Path, operations: Sequence[Operation]) -> None:
    """Carry out the operations on out_dir (which exists) all or nothing; see the module documentation."""
    if not operations:
        return
    txn = transaction_dir(out_dir)
    txn.mkdir()
    try:
        _stage(txn, operations)
        journal = _journal(out_dir, operations)
        _write_durably(txn / f"{JOURNAL}.tmp", json.dumps(journal).encode("utf-8"))
        os.replace(txn / f"{JOURNAL}.tmp", txn / JOURNAL)  # a journal is there whole, or not at all
        _sync_directory(txn)
    except BaseException:
        shutil.rmtree(txn, ignore_errors=True)
        raise
    try:
        for directory in journal["dirs"]:
            (out_dir / directory).mkdir()
        for index, operation in enumerate(operations):
            _apply_operation(out_dir, txn, index, operation)
    except BaseException:
        recover(out_dir)
        raise
    _commit(txn)


def _commit(txn: Path) -> None:
    (txn / JOURNAL).unlink()  # from here on the transaction is done: nothing will undo it
    shutil.rmtree(txn, ignore_errors=True)


def _stage(txn: Path, operations: Sequence[Operation]) -> None:
    (txn / "new").mkdir()
    (txn / "old").mkdir()
    write_files([(txn / "new" / str(index), operation.content) for index, operation in enumerate(operations)
                 if operation.content is not None])


def _journal(out_dir: Path, operations: Sequence[Operation]) -> dict[str, object]:
    """The operations without their content, and the directories the written files need, parents first."""
    needed: set[str] = set()
    for operation in operations:
        if operation.content is None:
            continue
        parent = Path(operation.path).parent
        while parent != Path(".") and not (out_dir / parent).is_dir() and parent.as_posix() not in needed:
            needed.add(parent.as_posix())
            parent = parent.parent
    return {
        "ops": [{"path": o.path, "write": o.content is not None, "existed": o.existed} for o in operations],
        "dirs": sorted(needed, key=lambda d: (d.count("/"), d)),
    }


def _apply_operation(out_dir: Path, txn: Path, index: int, operation: Operation) -> None:
    target = out_dir / operation.path
    backup = txn / "old" / str(index)
    if operation.content is None:
        os.replace(target, backup)
        return
    if operation.existed:
        os.link(target, backup)
    os.replace(txn / "new" / str(index), target)


def _undo(out_dir: Path, txn: Path, journal: dict[str, list]) -> int:  # type: ignore[type-arg]
    undone = 0
    for index in reversed(range(len(journal["ops"]))):
        operation = journal["ops"][index]
        target = out_dir / operation["path"]
        backup = txn / "old" / str(index)
        if backup.exists():
            os.replace(backup, target)  # back to the old inode
            undone += 1
        elif operation["write"] and not operation["existed"] and not (txn / "new" / str(index)).exists():
            target.unlink(missing_ok=True)  # a file this transaction created
            undone += 1
    for directory in reversed(journal["dirs"]):
        with contextlib.suppress(OSError):  # not created yet, or not empty: left as it is
            (out_dir / directory).rmdir()
    return undone


def _write_durably(path: Path, content: bytes) -> None:
    write_file(path, content)
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_directory(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open and sync a directory
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
