"""`rosec run --log-format`: the services' real JSON records as one readable line each, or passed through."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import GENERATED

from rosec.run_logs import default_log_format, json_line, printer, text_line, wants_color

# Logs through the generated runtime's own set-up (rose_runtime.logs), as a service does.
SERVICE_LOGS = textwrap.dedent("""
    import logging
    from rose_runtime.logs import configure_logging, log_scope
    configure_logging("orders", "local")
    log = logging.getLogger("rose.amqp")
    log.warning("cannot connect to the broker (ACCESS_REFUSED - Login was refused), retrying in 2.0 s")
    with log_scope(correlation_id="3f2a9c1e5d6b4a7f8e9d0c1b2a3f4e5d", route="/orders/{id}"):
        logging.getLogger("rose.orders").info("order created", extra={"status": 201, "note": "two words"})
        try:
            {}["sku"]
        except KeyError:
            logging.getLogger("rose").exception("handler failed")
    try:
        raise PermissionError("ACCESS_REFUSED - Login was refused")
    except PermissionError as error:
        logging.getLogger("rose").critical(f"service failed: {error}", exc_info=True)
    print("a line that is not JSON")
""")


@pytest.fixture(scope="module")
def service_lines(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    script = tmp_path_factory.mktemp("logs") / "service.py"
    script.write_text(SERVICE_LOGS)
    env = {**os.environ, "PYTHONPATH": str(GENERATED / "shop" / "services")}
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=60,
                          check=True)
    lines = done.stdout.splitlines()
    assert len(lines) == 5, done.stdout
    return lines


def test_text_is_one_readable_line_per_record(service_lines: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(_script(service_lines)).parent)  # frames below the working directory show relative
    texts = [text_line(line) for line in service_lines]
    assert all("\n" not in t for t in texts)
    time, level, logger, message = texts[0].split(maxsplit=3)
    assert len(time) == len("18:54:17.913") and (level, logger) == ("WARN", "rose.amqp")
    assert message == "cannot connect to the broker (ACCESS_REFUSED - Login was refused), retrying in 2.0 s"
    assert texts[1].endswith('  order created  route=/orders/{id} status=201 note="two words" id=3f2a9c1e')
    assert " ERROR rose  handler failed  " in texts[2]
    script = "service.py"
    key_error = _line_of('{}["sku"]')
    assert texts[2].endswith(f"[KeyError: 'sku' at {script}:{key_error}]")
    assert texts[3].endswith("service failed: ACCESS_REFUSED - Login was refused  "  # the text said once
                             f"[PermissionError at {script}:{_line_of('raise PermissionError')}]")
    assert texts[4] == "a line that is not JSON"
    assert max(len(t) for t in texts) < max(len(line) for line in service_lines) / 3


def _line_of(code: str) -> int:
    return next(n for n, line in enumerate(SERVICE_LOGS.splitlines(), 1) if code in line)


def _script(lines: list[str]) -> str:
    """The service script's path, from the traceback of its records."""
    traceback = json.loads(lines[2])["error.stack_trace"]
    return traceback.split('File "', 1)[1].split('"', 1)[0]


def test_json_passes_records_through_and_wraps_other_lines(service_lines: list[str]) -> None:
    assert [json_line("orders", line) for line in service_lines[:4]] == service_lines[:4]
    wrapped = json.loads(json_line("orders", service_lines[4]))
    assert {k: wrapped[k] for k in ("log.level", "service.name", "log.logger", "message")} == {
        "log.level": "info", "service.name": "orders", "log.logger": "stdout", "message": "a line that is not JSON"}
    assert wrapped["@timestamp"].endswith("Z")


def test_the_printer_prefixes_text_with_the_service_and_leaves_json_alone(service_lines: list[str]) -> None:
    text, raw = io.StringIO(), io.StringIO()
    printer(9, "text", text, color=False)("orders", service_lines[0])
    printer(9, "json", raw)("orders", service_lines[0])
    assert text.getvalue().startswith("orders    | ") and text.getvalue().endswith(" retrying in 2.0 s\n")
    assert raw.getvalue() == service_lines[0] + "\n"


def test_colors_only_where_asked(service_lines: list[str]) -> None:
    assert "\033[33mWARN \033[0m" in text_line(service_lines[0], color=True)
    assert "\033[" not in text_line(service_lines[0])


def test_text_on_a_terminal_json_elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    leader, follower = os.openpty()
    try:
        with open(follower, "w", closefd=False) as terminal, open(tmp_path / "log", "w") as file:
            assert (default_log_format(terminal), default_log_format(file)) == ("text", "json")
            monkeypatch.delenv("NO_COLOR", raising=False)
            assert wants_color(terminal) and not wants_color(file)
            monkeypatch.setenv("NO_COLOR", "1")
            assert not wants_color(terminal)
    finally:
        os.close(leader)
        os.close(follower)


def test_the_last_output_of_a_failed_service_is_readable(service_lines: list[str]) -> None:
    from rosec.run import Running, ServiceProcess

    process = ServiceProcess("orders", ("python",), Path("."), {}, "http://127.0.0.1:1/readyz")
    running = Running(process, None, 0.0)  # type: ignore[arg-type]  # no process: only the tail is read
    running.tail.extend(service_lines)
    shown = running.last_output().splitlines()
    assert shown == [f"  {text_line(line)}" for line in service_lines]
