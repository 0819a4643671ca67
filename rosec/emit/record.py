"""The build record: what the last build of a spec left, so that an unchanged build can skip everything.

Loading, checking and rendering a large spec takes seconds; proving that nothing changed takes a fraction of
that. After each build rosec records, in `<project root>/.rosec/build/<key>.json` (local state, never
committed), for one key (the spec's path, the project root, the -o given, the targets chosen):

- the SHA-256 of the spec's bytes, and a fingerprint of the code that built it: rosec's version and the bytes
  of every file of the rosec package, the Python version and the name (with version) of every installed
  distribution, so that an upgrade, a local change to rosec or a new target plug-in never reuses a record;
- the output directory and the SHA-256 of the manifest written there;
- the handler modules and their SHA-256 (None: absent), with the warnings they gave;
- the spec's warnings as rosec printed them, so that an unchanged build prints them again (and --strict fails).

`up_to_date` accepts a record only if all of that still holds and the output holds exactly the manifest's files
with the manifest's hashes (a hand edit, a deleted or an added file means a real build), and no interrupted
transaction is left.

Reading every file to hash it costs a second at 34,000 files, so the record also keeps, as git's index does, a
digest of each file's stat (size, mtime, ctime, inode): where it still matches, the files are as recorded. Any
write changes a file's ctime, which no program can set back. A file whose ctime is not older than the manifest's
(written in the manifest's tick of the file system's clock, or later) could be edited within that tick without
a new ctime ("racily clean" in git's words): such files are listed and always compared by content. When the
stats do not match (a checkout that rewrote files with the same bytes, a `touch`), every file is read; if all
still have their hashes, the record gets the new stats.

An accepted record means the output is what a build would write, byte for byte, because a build is a
deterministic function of the spec's bytes and the code. A first build after a fresh clone has no record: it
renders, finds nothing to write, and records.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rosec import __version__
from rosec.emit import transaction
from rosec.emit.disk import FileStats, output_paths, read_or_none
from rosec.emit.manifest import MANIFEST_NAME, parse_manifest, sha256
from rosec.emit.writer import ROSEC_NAMES
from rosec.project import LOCAL_STATE_DIR, local_state_dir

RECORD_DIR = "build"
RECORD_FORMAT = 3


@dataclass(frozen=True)
class BuildKey:
    """What a build was asked for; paths absolute."""

    spec: str
    root: str
    output: str | None  # -o, if given
    targets: tuple[str, ...] | None  # sorted; None: every target

    def file_name(self) -> str:
        return sha256(json.dumps(asdict(self), sort_keys=True).encode("utf-8"))[:32] + ".json"


@dataclass
class BuildRecord:
    key: BuildKey
    code: str
    spec_sha256: str
    output: str
    manifest_sha256: str
    files: int
    handlers: dict[str, str | None] = field(default_factory=dict)  # relative to the root -> SHA-256 or None
    warnings: list[str] = field(default_factory=list)  # handlers the user's modules lack
    spec_warnings: str = ""  # the spec's warnings, rendered (rosec.diagnostics.render_text); "" for none
    output_stats: str = ""  # stat_snapshot's digest of the output's files; "" for none taken
    racy: list[str] = field(default_factory=list)  # files compared by content whatever their stats


def code_fingerprint() -> str:
    """Everything besides the spec that a build's output can depend on (see the module documentation)."""
    digest = hashlib.sha256(f"{__version__}\0{sys.version}\0".encode())
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(f"{path.relative_to(package).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    for entry in sys.path:
        try:
            names = sorted(n for n in os.listdir(entry or ".") if n.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
        digest.update("\0".join([entry, *names]).encode())
    return digest.hexdigest()


def load_record(root: Path, key: BuildKey) -> BuildRecord | None:
    raw = read_or_none(root / LOCAL_STATE_DIR / RECORD_DIR / key.file_name())
    try:
        data = json.loads(raw) if raw is not None else None
        if not data or data.pop("format") != RECORD_FORMAT:
            return None
        stored = data.pop("key")
        record = BuildRecord(key=key, **data)
        stored["targets"] = tuple(stored["targets"]) if stored["targets"] is not None else None
    except (ValueError, TypeError, KeyError):
        return None
    return record if BuildKey(**stored) == key else None


def save_record(root: Path, record: BuildRecord) -> None:
    """Write the record atomically; a record that cannot be written only costs the next build its shortcut."""
    try:
        directory = local_state_dir(root) / RECORD_DIR
        directory.mkdir(exist_ok=True)
        path = directory / record.key.file_name()
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps({"format": RECORD_FORMAT, **asdict(record)}, indent=1), "utf-8")
        os.replace(temporary, path)
    except OSError:
        pass


def up_to_date(key: BuildKey, spec_bytes: bytes, code: str) -> BuildRecord | None:
    """The record of the last build with this key if its output is still exactly what that build wrote, from
    these spec bytes and this code (a code_fingerprint); else None."""
    record = load_record(Path(key.root), key)
    if record is None or record.spec_sha256 != sha256(spec_bytes) or record.code != code:
        return None
    out_dir = Path(record.output)
    manifest = _recorded_manifest(out_dir, record.manifest_sha256)
    if manifest is None:
        return None
    snapshot = stat_snapshot(out_dir, manifest)
    if record.output_stats and snapshot == (record.output_stats, record.racy):
        return record if _hashes_match(out_dir, manifest, record.racy) else None
    if not _hashes_match(out_dir, manifest, manifest):
        return None
    record.output_stats, record.racy = snapshot  # read in full this time: the next time, stats will do
    save_record(Path(key.root), record)
    return record


def _recorded_manifest(out_dir: Path, manifest_sha256: str) -> dict[str, str] | None:
    """{path: SHA-256} of the manifest in out_dir if it has this hash, no transaction is left and the directory
    holds exactly its files; else None."""
    raw = read_or_none(out_dir / MANIFEST_NAME)
    if raw is None or sha256(raw) != manifest_sha256 or transaction.transaction_dir(out_dir).exists():
        return None
    manifest = parse_manifest(raw)
    if manifest is None:
        return None
    paths = sorted(manifest.files)
    if output_paths(out_dir, ROSEC_NAMES) != paths:
        return None
    return {path: manifest.files[path].sha256 for path in paths}


def _hashes_match(out_dir: Path, manifest: dict[str, str], paths: Iterable[str]) -> bool:
    base = os.path.join(out_dir, "")  # plain strings: pathlib's joins cost a third of this loop at 30,000 files
    for path in paths:
        try:
            with open(base + path, "rb") as file:
                content = file.read()
        except OSError:
            return False
        if sha256(content) != manifest[path]:
            return False
    return True


def output_snapshot(out_dir: Path, manifest_bytes: bytes,
                    written: Mapping[str, FileStats] | None = None) -> tuple[str, list[str]]:
    """stat_snapshot of the files of the manifest that a build just wrote into out_dir. `written`: the stats the
    writer took of every file of the manifest (WriteResult.stats of a new directory), when it wrote them all."""
    if written:
        return stat_snapshot(out_dir, sorted(written), written)
    manifest = parse_manifest(manifest_bytes)
    return stat_snapshot(out_dir, sorted(manifest.files)) if manifest is not None else ("", [])


def stat_snapshot(out_dir: Path, paths: Iterable[str],
                  known: Mapping[str, FileStats] | None = None) -> tuple[str, list[str]]:
    """(digest of the stats of the files of out_dir older than its manifest, the other files), in the order of
    `paths`; ("", []) when one of them cannot be read. `known`: stats the writer took of the files it wrote
    (WriteResult.stats), which save a stat call each."""
    base = os.path.join(out_dir, "")
    known = known or {}
    try:
        reference = os.stat(base + MANIFEST_NAME).st_ctime_ns
        digest = hashlib.sha256()
        racy = []
        for path in paths:
            info = known.get(path) or os.stat(base + path)
            if info.st_ctime_ns >= reference or info.st_mtime_ns >= reference:
                racy.append(path)
            else:
                digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_ctime_ns}\0{info.st_ino}\n"
                              .encode())
    except OSError:
        return "", []
    return digest.hexdigest(), racy


def handler_states(root: Path, paths: list[str], written: Mapping[str, bytes] | None = None) -> dict[str, str | None]:
    """SHA-256 of each handler module (relative to the root), None where it does not exist; `written`: the
    bytes of modules this build just wrote, which need not be read back."""
    states: dict[str, str | None] = {}
    for path in paths:
        content = written.get(path) if written else None
        if content is None:
            content = read_or_none(root / path)
        states[path] = sha256(content) if content is not None else None
    return states
