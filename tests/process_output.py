"""The output of a child process, collected line by line by a thread while the test talks to the process."""

from __future__ import annotations

import subprocess
import threading


class OutputLines:
    """Reads the text stdout of `process` into `lines` until the process closes it."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def join(self, timeout: float = 5) -> None:
        """Wait for the end of the output (the process has exited)."""
        self._reader.join(timeout)
