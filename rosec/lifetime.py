"""Objects that the console script keeps until the process ends, instead of freeing them one by one.

A large spec's System model is millions of objects: freeing them when a build returns took 0.1 s at 1000
services, just before the console script ends the process without tearing anything down (rosec.console). So
under the console script the compiler hands what it made here, and it is never freed. Used as a library (tests,
other programs), nothing is kept: keep_until_exit does nothing unless keeping() was called.
"""

from __future__ import annotations

_kept: list[object] | None = None


def keeping() -> None:
    """From now on, keep_until_exit keeps what it is given (the console script: the process ends with os._exit)."""
    global _kept
    if _kept is None:
        _kept = []


def keep_until_exit(*objects: object) -> None:
    if _kept is not None:
        _kept.extend(objects)


def kept() -> int:
    """How many objects are kept (0 unless keeping)."""
    return len(_kept) if _kept is not None else 0
