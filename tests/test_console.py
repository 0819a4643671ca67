"""The console script: the command's exit status and every byte of its output survive the quick exit."""

from __future__ import annotations

import gc
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, ROOT

import rosec.console as console
from rosec import lifetime
from rosec.cli import main
from rosec.pipeline import compile_spec


class ExitedError(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    """console.run() turns the garbage collector off and keeps what the compiler makes, for the rest of the
    process: not in the test worker."""
    yield
    gc.enable()
    lifetime._kept = None


def rosec(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rosec", *args], capture_output=True, text=True, cwd=ROOT,
                          check=False)


def test_output_through_a_pipe_is_whole_and_statuses_are_kept() -> None:
    listed = rosec("targets")
    assert listed.returncode == 0
    assert listed.stdout == CliRunner().invoke(main, ["targets"]).stdout, "output lost on the quick exit"
    invalid = rosec("validate", str(EXAMPLES / "no-such-dir" / "rose.yaml"))
    assert invalid.returncode == 1 and "rose.yaml" in invalid.stderr
    usage = rosec("build")
    assert usage.returncode == 2 and "Missing argument" in usage.stderr


def test_quick_exit_carries_the_status_of_sys_exit(monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    def hard_exit(code: int) -> None:
        raise ExitedError(code)

    monkeypatch.setattr(console.os, "_exit", hard_exit)
    monkeypatch.setattr(console.threading, "active_count", lambda: 1)  # pytest-xdist's worker has threads of its own
    for status, expected in ((None, 0), (0, 0), (3, 3), ("rosec: broken", 1)):
        def command(status: object = status) -> None:
            raise SystemExit(status)

        monkeypatch.setattr(console, "main", command)
        with pytest.raises(ExitedError) as exited:
            console.run()
        assert exited.value.code == expected
    assert "rosec: broken" in capsys.readouterr().err


def test_a_running_thread_gets_the_normal_exit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console.os, "_exit", lambda code: pytest.fail("hard exit while a thread runs"))
    monkeypatch.setattr(console, "main", lambda: sys.exit(4))
    release = threading.Event()
    worker = threading.Thread(target=release.wait)
    worker.start()
    try:
        with pytest.raises(SystemExit) as stopped:
            console.run()
        assert stopped.value.code == 4
    finally:
        release.set()
        worker.join()


def test_the_collector_is_off_during_a_command_and_on_for_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console.os, "_exit", lambda code: None)
    monkeypatch.setattr(console.threading, "active_count", lambda: 1)
    seen: list[bool] = []
    monkeypatch.setattr(console, "main", lambda: seen.append(gc.isenabled()))
    console.run()
    assert seen == [False], "a one-shot command ran with the collector on"

    from rosec import run as run_services

    def fake_run(*args: object, **kwargs: object) -> int:
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr(run_services, "run", fake_run)
    gc.disable()
    result = CliRunner().invoke(main, ["run", str(EXAMPLES / "minimal" / "rose.yaml")])
    assert result.exit_code == 0, result.output
    assert seen == [False, True], "`rosec run` runs for hours: it needs the collector"


def test_the_console_keeps_the_compiled_system_until_the_process_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    shop = EXAMPLES / "shop" / "rose.yaml"
    compile_spec(shop)
    assert lifetime.kept() == 0, "used as a library, rosec keeps nothing"
    monkeypatch.setattr(console.os, "_exit", lambda code: None)
    monkeypatch.setattr(console.threading, "active_count", lambda: 1)
    kept: list[int] = []

    def command() -> None:
        system = compile_spec(shop).system
        kept.append(lifetime.kept())
        del system

    monkeypatch.setattr(console, "main", command)
    console.run()
    assert kept == [1], "under the console script the system is kept, not freed when the command returns"
