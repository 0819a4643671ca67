"""Work done in a forked child while this process goes on: half of the targets of a large system while the other
half renders, the handlers plan of a build.

Such work is pure Python and bound by the CPU, so a thread would take turns with this process on the interpreter
lock. A forked child inherits everything computed so far (nothing is sent to it) and sends its result back,
pickled, through a pipe. The work runs here instead, when it is asked for, if fork is missing (Windows), with one
CPU, when other threads run (a fork copies their locks, held or not) or when the child failed: its error is then
raised in this process as it would be without a child, and a child never prints one.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
from collections.abc import Callable
from typing import Generic, NoReturn, TypeVar

T = TypeVar("T")


PARALLEL_FROM_SERVICES = 50  # below this many services, forking costs more than it saves
PROCESSES_VARIABLE = "ROSEC_RENDER_PROCESSES"  # "1": never fork; "2": fork whenever possible (tests)


def worth_forking(services: int) -> bool:
    """Whether work for a system of this many services is worth a second process, on this machine, now."""
    setting = os.environ.get(PROCESSES_VARIABLE, "").strip()
    if setting == "1" or not can_fork():
        return False
    return setting == "2" or services >= PARALLEL_FROM_SERVICES


def can_fork() -> bool:
    """Whether forking is possible and useful here, now."""
    return hasattr(os, "fork") and threading.active_count() == 1 and usable_cpus() >= 2


def usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class Forked(Generic[T]):
    """compute() started in a forked child (when `fork` is true and can_fork()); its value comes from result()."""

    def __init__(self, compute: Callable[[], T], fork: bool = True) -> None:
        self._compute = compute
        self._child: tuple[int, int] | None = None  # (pid, read end of the pipe)
        if fork and can_fork():
            self._child = _start(compute)

    def result(self) -> T:
        """The child's value; computed here when no child was started or the child failed."""
        child, self._child = self._child, None
        if child is not None:
            received = _collect(*child)
            if received is not None:
                value: T = pickle.loads(received)
                return value
        return self._compute()

    def cancel(self) -> None:
        """Kill and reap the child, if any (this process failed and will not ask for the result)."""
        child, self._child = self._child, None
        if child is not None:
            pid, read_end = child
            os.close(read_end)
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def _start(compute: Callable[[], object]) -> tuple[int, int] | None:
    try:
        read_end, write_end = os.pipe()
    except OSError:  # out of file descriptors: this process will do the work
        return None
    try:
        pid = os.fork()
    except OSError:  # out of memory or processes: this process will do the work
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:
        os.close(read_end)
        _child(compute, write_end)
    os.close(write_end)
    return pid, read_end


def _child(compute: Callable[[], object], write_end: int) -> NoReturn:
    """Send compute()'s value through write_end; never returns. Exit status 0 only once all is sent."""
    status = 1
    try:
        with os.fdopen(write_end, "wb") as pipe:
            pickle.dump(compute(), pipe, protocol=pickle.HIGHEST_PROTOCOL)
        status = 0
    finally:
        os._exit(status)  # no atexit handlers, no flushing of the parent's buffers, no traceback


def _collect(pid: int, read_end: int) -> bytes | None:
    """What the child sent, or None when it failed."""
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    return data if os.waitstatus_to_exitcode(status) == 0 else None
