"""The `rosec` console script and `python -m rosec`: the command line, then a quick exit.

Tearing the interpreter down frees every object one by one and runs a last garbage collection. After a build
of 1000 services, which leaves about 450 MB of objects, that took 1.2 s here, after the last file was written
and the report printed. The process owns nothing that needs it: the files are closed, the writer threads and
the render child are joined. So the script runs the atexit handlers (logging flushes its handlers there),
flushes stdout and stderr, and ends the process without the teardown. While other threads still run, it exits
normally, which waits for them.

For the same reason the cyclic garbage collector stays off for the whole command: a build or check keeps nearly
everything it creates alive until it ends, and turning the collector back on when rendering is done made its
first collection walk all of it (1000 services: 0.25 s, for nothing, just before exiting). A long-running
command turns it on again (rosec.cli's `run`). And what the compiler made is kept, not freed, when a command
returns (rosec.lifetime).
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import sys
import threading
from typing import NoReturn

from rosec import lifetime
from rosec.cli import main


def run() -> NoReturn:
    gc.disable()
    lifetime.keeping()
    try:
        main()
        status: object = 0
    except SystemExit as stop:  # click ends every command this way
        status = stop.code
    code = _exit_code(status)
    if threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`rosec targets | head`), a closed stream
            stream.flush()
    os._exit(code)


def _exit_code(status: object) -> int:
    """The exit status that sys.exit(status) would give."""
    if status is None:
        return 0
    if isinstance(status, int):
        return status
    print(status, file=sys.stderr)
    return 1
