"""The jinja2 environment of rosec's code templates (rosec.emit.templates): a plain dict's keys are looked up
directly, and everything else reads as jinja2 reads it; compiled templates are cached per user, and the files
are the same with or without the cache."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES
from jinja2 import Environment, StrictUndefined, UndefinedError

from rosec.emit.template_cache import cache_directory, user_cache_root
from rosec.emit.templates import CodeEnvironment

SHOP = EXAMPLES / "shop" / "rose.yaml"

TEMPLATE = "{{ d.name }}|{{ d['items'] }}|{{ d.items() | list | length }}|{{ o.real }}|{{ d.get('name') }}"


class Named:
    name = "attribute"


@pytest.mark.parametrize("environment", [CodeEnvironment, Environment])
def test_lookups_read_as_in_jinja2(environment: type[Environment]) -> None:
    env = environment(undefined=StrictUndefined)
    data = {"d": {"name": "key", "items": "an items key"}, "o": 3}
    assert env.from_string(TEMPLATE).render(data) == "key|an items key|2|3|key"
    assert env.from_string("{{ n.name }}").render(n=Named()) == "attribute", "objects keep their attributes"
    with pytest.raises(UndefinedError):
        env.from_string("{{ d.missing }}").render(d={"name": "key"})


def test_a_dict_key_named_like_a_dict_method_leaves_the_method() -> None:
    env = CodeEnvironment(undefined=StrictUndefined)
    assert env.from_string("{{ d.keys() | list }}").render(d={"keys": "shadow", "a": 1}) == "['keys', 'a']"


def test_docstring_paragraphs_wrap_as_textwrap_wraps_them() -> None:
    """py_doc leaves a paragraph that fits as it is instead of asking textwrap: the lines must be textwrap's."""
    import random
    import textwrap

    from rosec.targets.services.templating import _wrap

    pieces = ["a", "bb", " ", "  ", "-", "x" * 30, "\t", "\r", "\v", "\f", ".", "é", "\u00a0", "\u2003", "\x1c", "\x85"]
    rng = random.Random(11)
    for _ in range(20000):
        paragraph = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        if not paragraph.strip():
            continue
        taken, width = " " * rng.choice([0, 3, 6]), rng.choice([20, 60, 116])
        assert _wrap(paragraph, width, taken) == textwrap.wrap(
            paragraph, width, initial_indent=taken, break_long_words=False, break_on_hyphens=False), paragraph


# -- the bytecode cache of compiled templates (rosec.emit.template_cache) ---------------------------------------
def _build_shop(tmp_path: Path, cache_home: Path, name: str) -> dict[str, bytes]:
    """Build the shop (every target) in a new process with this XDG_CACHE_HOME; the files written, by path."""
    out, root = tmp_path / name, tmp_path / f"{name}-project"
    root.mkdir()
    (root / "pyproject.toml").write_text("")  # the project root: handlers are scaffolded under it, not in the repo
    shutil.copy(SHOP, root / "rose.yaml")
    result = subprocess.run([sys.executable, "-m", "rosec", "build", str(root / "rose.yaml"), "-o", str(out)],
                            cwd=root, env=os.environ | {"XDG_CACHE_HOME": str(cache_home)}, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return {str(path.relative_to(out)): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}


def _entries(cache_home: Path) -> dict[str, int]:
    return {str(path.relative_to(cache_home)): path.stat().st_mtime_ns for path in cache_home.rglob("*.cache")}


def test_a_build_writes_the_same_files_with_a_cache_being_filled_used_broken_or_unusable(tmp_path: Path) -> None:
    cache_home = tmp_path / "cache"
    filled = _build_shop(tmp_path, cache_home, "filled")
    entries = _entries(cache_home)
    assert len(entries) >= 10, f"the shop's templates were not cached: {entries}"
    assert all(name.startswith("rosec/templates-") for name in entries), entries

    used = _build_shop(tmp_path, cache_home, "used")
    assert _entries(cache_home) == entries, "a template was compiled again instead of being read from the cache"
    assert used == filled

    for entry in entries:  # truncated entries (a disk that filled up) are misses, compiled and written again
        (cache_home / entry).write_bytes((cache_home / entry).read_bytes()[:20])
    assert _build_shop(tmp_path, cache_home, "broken") == filled
    assert all((cache_home / entry).stat().st_size > 20 for entry in entries)

    not_a_directory = tmp_path / "a-file"
    not_a_directory.write_text("")
    assert _build_shop(tmp_path, not_a_directory, "unusable") == filled


def test_the_cache_is_only_a_directory_of_this_user_that_no_one_else_may_write(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    options = {"trim_blocks": True}
    directory = cache_directory(options)
    assert directory is not None and directory.parent == tmp_path / "rosec"
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    directory.chmod(0o770)
    assert cache_directory(options) is None, "a directory others may write to would let them run code in rosec"
    directory.chmod(0o700)
    directory.parent.chmod(0o777)
    assert cache_directory(options) is None, "others could replace the directory"
    directory.parent.chmod(0o755)
    assert cache_directory(options) == directory
    assert cache_directory({"trim_blocks": False}) != directory, "other options compile other code"


def test_the_cache_is_private_under_a_umask_that_lets_the_group_write(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    previous = os.umask(0o002)
    try:
        directory = cache_directory({"trim_blocks": True})
    finally:
        os.umask(previous)
    assert directory is not None, "under umask 002 (common on desktops) the cache must still be usable"
    assert stat.S_IMODE(directory.parent.stat().st_mode) == 0o700


def test_a_relative_xdg_cache_home_is_ignored_as_the_specification_says(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert user_cache_root() == Path.home() / ".cache"
