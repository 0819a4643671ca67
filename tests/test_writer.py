"""The writer: atomic replacement, manifest, drift detection, refusal to destroy hand edits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rosec.emit import disk, transaction, writer
from rosec.emit.files import FileTree
from rosec.emit.manifest import MANIFEST_NAME, read_manifest, sha256


def tree(files: dict[str, str], target: str = "t") -> FileTree:
    result = FileTree()
    for path, content in files.items():
        result.add(target, path, content.encode())
    return result


def test_write_creates_files_and_manifest(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    writer.write(out, tree({"a.txt": "A\n", "sub/b.txt": "B\n"}), "sys", "rose.yaml")
    assert (out / "a.txt").read_text() == "A\n"
    assert (out / "sub" / "b.txt").read_text() == "B\n"
    manifest = read_manifest(out)
    assert manifest is not None
    assert manifest.files["a.txt"].sha256 == sha256(b"A\n")
    assert manifest.files["sub/b.txt"].target == "t"
    assert json.loads((out / MANIFEST_NAME).read_text())["system"] == "sys"


def test_a_new_output_joins_the_files_already_staged_and_cleans_up_on_failure(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    with writer.staging_directory(out) as staging:
        assert staging is not None and staging.parent == tmp_path
        files = tree({"sub/written.txt": "W\n"})
        stats = disk.write_under(str(staging), [("sub/staged.txt", b"S\n")])
        files.add_staged("other", {"sub/staged.txt": (sha256(b"S\n"), stats[0])})
        result = writer.write(out, files, "sys", "rose.yaml", staging=staging)
    assert {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} == {
        "sub/written.txt", "sub/staged.txt", MANIFEST_NAME}
    manifest = read_manifest(out)
    assert manifest is not None and manifest.files["sub/staged.txt"].target == "other"
    assert result.written == ["sub/staged.txt", "sub/written.txt"] and result.files == 2
    assert result.stats["sub/staged.txt"].st_ino == (out / "sub" / "staged.txt").stat().st_ino

    again = tmp_path / "again"
    with pytest.raises(RuntimeError), writer.staging_directory(again) as staging:
        assert staging is not None
        disk.write_under(str(staging), [("x/y.txt", b"y")])
        raise RuntimeError("rendering failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gen"], "the staging directory is gone"
    with writer.staging_directory(out) as staging:
        assert staging is None, "an existing output is changed in place"


def test_staged_files_without_their_staging_directory_are_refused(tmp_path: Path) -> None:
    files = FileTree()
    files.add_staged("t", {"a.txt": (sha256(b"a"), disk.FileStats.of(tmp_path.stat()))})
    with pytest.raises(ValueError, match="staged"):
        writer.write(tmp_path / "gen", files, "sys", "rose.yaml")
    with pytest.raises(ValueError, match="both produce"):
        files.add("u", "a.txt", b"a")
    files.add("u", "b.txt", b"b")
    with pytest.raises(ValueError, match=r"'u' and 'v' both produce b\.txt"):
        files.add_staged("v", {"b.txt": (sha256(b"b"), disk.FileStats.of(tmp_path.stat()))})


def test_a_new_deep_tree_is_written_whole_on_the_writer_threads(tmp_path: Path) -> None:
    # enough files and directories for the threads; nested levels that must be made parents first
    files = {f"s{i % 7}/d{i % 5}/e{i % 3}/f{i}.txt": f"{i}\n" for i in range(60)} | {"top.txt": "top\n"}
    out = tmp_path / "gen"
    writer.write(out, tree(files), "sys", "rose.yaml")
    written = {p.relative_to(out).as_posix(): p.read_text() for p in out.rglob("*") if p.is_file()}
    assert written == files | {MANIFEST_NAME: (out / MANIFEST_NAME).read_text()}


def test_rebuild_removes_files_no_longer_produced(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    writer.write(out, tree({"a.txt": "A\n", "old.txt": "x\n"}), "sys", "rose.yaml")
    writer.write(out, tree({"a.txt": "A2\n"}), "sys", "rose.yaml")
    assert not (out / "old.txt").exists()
    assert (out / "a.txt").read_text() == "A2\n"


def test_compare_reports_each_kind_of_drift(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    writer.write(out, tree({"same": "1\n", "stale": "old\n", "edited": "e\n", "gone": "g\n"}), "sys", "rose.yaml")
    (out / "edited").write_text("edited by hand\n")
    (out / "gone").unlink()
    (out / "stray").write_text("?\n")
    wanted = tree({"same": "1\n", "stale": "new\n", "edited": "e2\n", "gone": "g\n", "added": "n\n"})
    drift = writer.compare(out, wanted)
    assert drift.stale == ["stale"]
    assert drift.hand_edited == ["edited"]
    assert sorted(drift.missing) == ["added", "gone"]
    assert drift.extra == ["stray"]
    assert not drift.clean


def test_compare_is_clean_after_write(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    files = tree({"a": "1\n", "b/c": "2\n"})
    writer.write(out, files, "sys", "rose.yaml")
    assert writer.compare(out, files).clean


def test_hand_edited_file_stops_the_build_and_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    writer.write(out, tree({"a": "1\n", "b": "2\n"}), "sys", "rose.yaml")
    (out / "a").write_text("mine\n")
    with pytest.raises(writer.WriteRefusedError, match="hand-edited"):
        writer.write(out, tree({"a": "1b\n", "b": "2b\n"}), "sys", "rose.yaml")
    assert (out / "a").read_text() == "mine\n"
    assert (out / "b").read_text() == "2\n"
    writer.write(out, tree({"a": "1b\n", "b": "2b\n"}), "sys", "rose.yaml", force=True)
    assert (out / "a").read_text() == "1b\n"


def test_unknown_files_stop_the_build(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    writer.write(out, tree({"a": "1\n"}), "sys", "rose.yaml")
    (out / "notes.md").write_text("my notes\n")
    with pytest.raises(writer.WriteRefusedError, match="not generated by rosec"):
        writer.write(out, tree({"a": "1\n"}), "sys", "rose.yaml")
    assert (out / "notes.md").exists()


def test_refuses_a_directory_rosec_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "project"
    out.mkdir()
    (out / "precious.txt").write_text("keep\n")
    with pytest.raises(writer.WriteRefusedError, match="not written by rosec"):
        writer.write(out, tree({"a": "1\n"}), "sys", "rose.yaml")
    assert (out / "precious.txt").read_text() == "keep\n"


def test_caches_are_ignored(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    files = tree({"pkg/mod.py": "x = 1\n"})
    writer.write(out, files, "sys", "rose.yaml")
    (out / "pkg" / "__pycache__").mkdir()
    (out / "pkg" / "__pycache__" / "mod.cpython-311.pyc").write_bytes(b"\0")
    assert writer.compare(out, files).clean
    writer.write(out, files, "sys", "rose.yaml")


def test_partial_build_keeps_other_targets(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    both = FileTree()
    both.add("one", "one.txt", b"1\n")
    both.add("two", "two.txt", b"2\n")
    writer.write(out, both, "sys", "rose.yaml")
    only_one = FileTree()
    only_one.add("one", "one.txt", b"1 again\n")
    writer.write(out, only_one, "sys", "rose.yaml", targets=["one"])
    assert (out / "one.txt").read_text() == "1 again\n"
    assert (out / "two.txt").read_text() == "2\n"
    manifest = read_manifest(out)
    assert manifest is not None and set(manifest.files) == {"one.txt", "two.txt"}
    assert writer.compare(out, only_one, ["one"]).clean


def test_failure_while_staging_a_new_directory_leaves_nothing(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(path: Path, content: bytes) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(disk, "write_file", broken)
    with pytest.raises(OSError):
        writer.write(tmp_path / "gen", tree({f"f{n}": "1\n" for n in range(20)}), "sys", "rose.yaml")
    assert list(tmp_path.iterdir()) == [], "staging directory or output left behind"


def test_failure_while_staging_changes_leaves_the_old_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "gen"
    writer.write(out, tree({"a": "1\n", "b": "2\n"}), "sys", "rose.yaml")
    before = states(out)

    def broken(path: Path, content: bytes) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(disk, "write_file", broken)
    with pytest.raises(OSError, match="disk full"):
        writer.write(out, tree({"a": "1 changed\n", "c": "3\n"}), "sys", "rose.yaml")
    assert states(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gen"]


def states(directory: Path) -> dict[str, tuple[int, int, bytes]]:
    """(inode, mtime in ns, bytes) of every file under directory, and (inode, 0, b"") of every directory."""
    found: dict[str, tuple[int, int, bytes]] = {}
    for path in sorted(directory.rglob("*")):
        info = path.stat()
        key = path.relative_to(directory).as_posix()
        found[key] = (info.st_ino, info.st_mtime_ns, path.read_bytes()) if path.is_file() else (info.st_ino, 0, b"")
    return found


def test_an_unchanged_tree_touches_no_file(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    files = tree({"a.txt": "A\n", "sub/b.txt": "B\n", "sub/deep/c.txt": "C\n"})
    writer.write(out, files, "sys", "rose.yaml", built_from={"t": {"spec_sha256": "1"}})
    before = states(out)
    directory_mtimes = {p: p.stat().st_mtime_ns for p in [out, *out.rglob("*")] if p.is_dir()}
    result = writer.write(out, files, "sys", "rose.yaml", built_from={"t": {"spec_sha256": "1"}})
    assert (result.written, result.removed, result.files) == ([], [], 3)
    assert states(out) == before, "a file was rewritten, replaced or removed"
    assert {p: p.stat().st_mtime_ns for p in directory_mtimes} == directory_mtimes, "a directory changed"


def test_one_change_rewrites_only_that_file(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    writer.write(out, tree({"a": "1\n", "b": "2\n", "sub/c": "3\n"}), "sys", "rose.yaml")
    before = states(out)
    result = writer.write(out, tree({"a": "1\n", "b": "2 changed\n", "sub/c": "3\n"}), "sys", "rose.yaml")
    after = states(out)
    assert result.written == ["b"]
    assert {p for p in before if before[p] != after[p]} == {"b", MANIFEST_NAME}
    assert after["b"][2] == b"2 changed\n"
    assert not (out / transaction.TRANSACTION_DIR).exists()


def test_a_changed_provenance_rewrites_only_the_manifest(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    files = tree({"a": "1\n"})
    writer.write(out, files, "sys", "rose.yaml", built_from={"t": {"spec_sha256": "old"}})
    before = states(out)
    result = writer.write(out, files, "sys", "rose.yaml", built_from={"t": {"spec_sha256": "new"}})
    assert result.written == []
    assert before["a"] == states(out)["a"]
    manifest = read_manifest(out)
    assert manifest is not None and manifest.built_from == {"t": {"spec_sha256": "new"}}


def test_files_no_longer_produced_go_with_their_empty_directories(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    writer.write(out, tree({"keep/a": "1\n", "keep/gone": "x\n", "old/deep/b": "2\n"}), "sys", "rose.yaml")
    (out / "keep" / "__pycache__").mkdir()
    result = writer.write(out, tree({"keep/a": "1\n"}), "sys", "rose.yaml")
    assert result.removed == ["keep/gone", "old/deep/b"]
    assert not (out / "old").exists()
    assert (out / "keep" / "a").exists() and (out / "keep" / "__pycache__").is_dir()


def test_partial_build_keeps_the_other_targets_hand_edits_visible(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    both = FileTree()
    both.add("one", "one.txt", b"1\n")
    both.add("two", "two.txt", b"2\n")
    writer.write(out, both, "sys", "rose.yaml", built_from={"one": {"spec_sha256": "a"}, "two": {"spec_sha256": "a"}})
    (out / "two.txt").write_text("edited\n")
    only_one = FileTree()
    only_one.add("one", "one.txt", b"1 again\n")
    writer.write(out, only_one, "sys", "rose.yaml", targets=["one"], built_from={"one": {"spec_sha256": "b"}})
    assert writer.compare(out, both, ["two"]).hand_edited == ["two.txt"], "the partial build hid the hand edit"
    manifest = read_manifest(out)
    assert manifest is not None
    assert manifest.built_from == {"one": {"spec_sha256": "b"}, "two": {"spec_sha256": "a"}}


def test_file_tree_rejects_unsafe_and_duplicate_paths() -> None:
    files = FileTree()
    for bad in ("../escape", "/abs", "a/../../b", ""):
        with pytest.raises(ValueError):
            files.add("t", bad, b"")
    files.add("t", "x", b"")
    with pytest.raises(ValueError, match="both produce"):
        files.add("u", "x", b"")
