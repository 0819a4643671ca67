"""Write a FileTree into an output directory, or compare it with one (check).

A write touches only what changes: files whose bytes differ are replaced, files no longer produced are removed,
and everything else keeps its inode and mtime (a build that changes nothing writes nothing, not even the
manifest). The changes are all or nothing (rosec.emit.transaction); an output directory that does not exist yet
is written next to where it belongs and renamed into place in one step.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from rosec.emit import transaction
from rosec.emit.disk import FileStats, differing_files, output_paths, read_or_none, write_file, write_under
from rosec.emit.files import FileTree
from rosec.emit.manifest import MANIFEST_NAME, Manifest, ManifestEntry, read_manifest, sha256

ROSEC_NAMES = frozenset({MANIFEST_NAME, transaction.TRANSACTION_DIR})


class WriteRefusedError(Exception):
    """The output directory holds changes that a build would destroy."""


@dataclass
class Drift:
    stale: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    hand_edited: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)  # the extra files rosec never wrote: a build refuses them
    interrupted: bool = False  # a build died half way; the next build undoes it

    @property
    def clean(self) -> bool:
        return not (self.stale or self.missing or self.extra or self.hand_edited or self.interrupted)

    def lines(self, out_dir: Path) -> list[str]:
        rows = [f"interrupted: {out_dir / transaction.TRANSACTION_DIR} (a build died while writing; the next "
                "`rosec build` undoes its changes)"] if self.interrupted else []
        for label, paths in (("hand-edited", self.hand_edited), ("stale", self.stale),
                             ("missing", self.missing), ("extra", self.extra)):
            rows += [f"{label}: {out_dir / p}" for p in sorted(paths)]
        return rows


@dataclass
class WriteResult:
    drift: Drift  # how the directory differed from the tree before the write
    written: list[str]  # created or replaced
    removed: list[str]
    files: int  # files rosec owns in the directory afterwards
    manifest: bytes  # the manifest now in the directory
    manifest_changed: bool = True
    undone: int = 0  # operations of an interrupted earlier build that were undone first
    # The stats of the files as written into a new directory (renaming the directory keeps them); empty after
    # changes to an existing one, where renaming each staged file into place changes its ctime.
    stats: dict[str, FileStats] = field(default_factory=dict)


@dataclass
class _Survey:
    """The directory against the tree: each differing file's current bytes (None: missing), and the drift."""

    on_disk: set[str]
    differing: dict[str, bytes | None]
    drift: Drift


def _survey(out_dir: Path, tree: FileTree, scope: set[str] | None, recorded: Mapping[str, ManifestEntry]) -> _Survey:
    on_disk = set(output_paths(out_dir, ROSEC_NAMES))
    drift = Drift(interrupted=transaction.interrupted(out_dir))
    in_scope = [(path, output.content) for path, output in tree.files.items()
                if scope is None or output.target in scope]
    changed = differing_files(os.path.join(out_dir, ""), [(p, content) for p, content in in_scope if p in on_disk])
    differing: dict[str, bytes | None] = {}
    for path, _ in in_scope:
        if path in on_disk and path not in changed:
            continue  # the same bytes
        current = differing[path] = changed.get(path)  # None: missing
        if current is None:
            drift.missing.append(path)
        else:
            entry = recorded.get(path)
            edited = entry is None or entry.sha256 != sha256(current)
            (drift.hand_edited if edited else drift.stale).append(path)
    for path in sorted(on_disk - tree.files.keys()):
        owner = recorded.get(path)
        if owner is None:
            drift.foreign.append(path)
        if scope is None or (owner is not None and owner.target in scope):
            drift.extra.append(path)
    return _Survey(on_disk, differing, drift)


def compare(out_dir: Path, tree: FileTree, targets: Iterable[str] | None = None, *, system: str | None = None,
            spec: str = "", built_from: Mapping[str, Mapping[str, str]] | None = None) -> Drift:
    """How the directory differs from what the spec produces (restricted to some targets if given). With the
    system's name, the manifest counts too: the directory is clean exactly when a build would write nothing."""
    manifest = read_manifest(out_dir)
    scope = set(targets) if targets is not None else None
    survey = _survey(out_dir, tree, scope, manifest.files if manifest else {})
    if system is not None:
        expected = _expected_manifest(tree, system, spec, built_from, manifest, scope, survey.on_disk).to_bytes()
        current = read_or_none(out_dir / MANIFEST_NAME)
        if current != expected:
            (survey.drift.missing if current is None else survey.drift.stale).append(MANIFEST_NAME)
    return survey.drift


@contextlib.contextmanager
def staging_directory(out_dir: Path) -> Iterator[Path | None]:
    """Where a new output is written before write() renames it into place: a fresh directory beside out_dir,
    which rendering may already write files into (FileTree.staged); None when out_dir exists. Removed unless it
    was renamed into place."""
    if out_dir.exists():
        yield None
        return
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.rosec-new-", dir=out_dir.parent))
    try:
        yield staging
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def write(out_dir: Path, tree: FileTree, system: str, spec: str, targets: Iterable[str] | None = None,
          force: bool = False, built_from: Mapping[str, Mapping[str, str]] | None = None,
          staging: Path | None = None) -> WriteResult:
    """Make out_dir hold the tree, changing only what differs. With targets, other targets' files are kept.

    `built_from` (target -> facts) goes into the manifest; see rosec.emit.manifest. `staging`: the directory from
    staging_directory(out_dir), where the tree's staged files already are."""
    if staging is not None:
        return _write_new(out_dir, tree, _manifest(tree, system, spec, built_from), staging)
    if tree.staged:
        raise ValueError("the tree has files staged for a new output, but no staging directory was given")
    if not out_dir.exists():
        with staging_directory(out_dir) as fresh:
            assert fresh is not None  # out_dir does not exist
            return _write_new(out_dir, tree, _manifest(tree, system, spec, built_from), fresh)
    with transaction.locked(out_dir):
        undone = transaction.recover(out_dir)
        manifest = read_manifest(out_dir)
        recorded = manifest.files if manifest else {}
        scope = set(targets) if targets is not None else None
        survey = _survey(out_dir, tree, scope, recorded)
        _refuse_destroying_changes(out_dir, survey, manifest, force)
        new_manifest = _expected_manifest(tree, system, spec, built_from, manifest, scope, survey.on_disk)
        removed = sorted(p for p in survey.on_disk if p not in new_manifest.files
                         and (p in recorded or force))
        operations = [transaction.Operation(p, tree.files[p].content, current is not None)
                      for p, current in sorted(survey.differing.items())]
        operations += [transaction.Operation(p, None, True) for p in removed]
        manifest_bytes = new_manifest.to_bytes()
        old_manifest_bytes = read_or_none(out_dir / MANIFEST_NAME)
        if manifest_bytes != old_manifest_bytes:
            operations.append(transaction.Operation(MANIFEST_NAME, manifest_bytes, old_manifest_bytes is not None))
        transaction.apply(out_dir, operations)
        _prune_empty_directories(out_dir, removed)
    written = [o.path for o in operations if o.content is not None and o.path != MANIFEST_NAME]
    return WriteResult(survey.drift, written, removed, len(new_manifest.files), manifest_bytes,
                       manifest_bytes != old_manifest_bytes, undone)


def _refuse_destroying_changes(out_dir: Path, survey: _Survey, manifest: Manifest | None, force: bool) -> None:
    if force:
        return
    if survey.on_disk and manifest is None:
        raise WriteRefusedError(f"{out_dir} exists and was not written by rosec (no {MANIFEST_NAME}); "
                                "choose another --output, or pass --force to replace it")
    if survey.drift.hand_edited or survey.drift.foreign:
        details = [f"hand-edited: {out_dir / p}" for p in sorted(survey.drift.hand_edited)]
        details += [f"not generated by rosec: {out_dir / p}" for p in survey.drift.foreign]
        raise WriteRefusedError("refusing to overwrite changes in the output directory:\n  " + "\n  ".join(details)
                                + "\nrevert or remove them (changes belong in the spec or the handlers), or pass "
                                  "--force to discard them")


def _manifest(tree: FileTree, system: str, spec: str, built_from: Mapping[str, Mapping[str, str]] | None) -> Manifest:
    files = {p: ManifestEntry(f.sha256, f.target) for p, f in tree.files.items()}
    files |= {p: ManifestEntry(f.sha256, f.target) for p, f in tree.staged.items()}
    return Manifest(system, spec, files, {t: dict(f) for t, f in (built_from or {}).items()})


def _expected_manifest(tree: FileTree, system: str, spec: str, built_from: Mapping[str, Mapping[str, str]] | None,
                       old: Manifest | None, scope: set[str] | None, on_disk: set[str]) -> Manifest:
    """The manifest a write leaves: the tree's, and with a scope what it keeps of the other targets."""
    new = _manifest(tree, system, spec, built_from)
    return _keep_other_targets(new, old, scope, on_disk) if scope is not None and old is not None else new


def _keep_other_targets(new: Manifest, old: Manifest, scope: set[str], on_disk: set[str]) -> Manifest:
    """A partial build's manifest: also the files of the other targets that are still on disk (as rosec wrote
    them: a hand edit stays visible to check) and what those targets were built from."""
    files = dict(new.files)
    for path, entry in old.files.items():
        if entry.target not in scope and path in on_disk:
            files.setdefault(path, entry)
    built_from = {**{t: f for t, f in old.built_from.items() if t not in scope}, **new.built_from}
    return Manifest(new.system, new.spec, files, built_from)


def _prune_empty_directories(out_dir: Path, removed: Iterable[str]) -> None:
    """Remove the directories that removing files left empty, up to (not including) out_dir."""
    candidates = {parent for path in removed for parent in PurePosixPath(path).parents if parent.parts}
    for directory in sorted(candidates, key=lambda d: len(d.parts), reverse=True):
        with contextlib.suppress(OSError):  # not empty (or holds a cache): kept
            (out_dir / directory).rmdir()


def _write_new(out_dir: Path, tree: FileTree, manifest: Manifest, staging: Path) -> WriteResult:
    """Write the tree's files beside its staged ones in the staging directory, then rename it into place: all or
    nothing (the staging directory is removed by staging_directory if anything fails)."""
    manifest_bytes = manifest.to_bytes()
    files = sorted(tree.files.items())
    written = write_under(str(staging), [(relative, output.content) for relative, output in files])
    stats = dict(zip((relative for relative, _ in files), written, strict=True))
    stats |= {relative: staged.stats for relative, staged in tree.staged.items()}
    write_file(staging / MANIFEST_NAME, manifest_bytes)
    os.chmod(staging, 0o755)  # mkdtemp made it private
    staging.rename(out_dir)
    paths = sorted(stats)
    return WriteResult(Drift(missing=paths), paths, [], len(paths), manifest_bytes, stats=stats)
