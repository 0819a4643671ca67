"""How `rosec run` shows its services' output: one readable line per log record on a terminal, JSON otherwise.

The services log JSON lines with ECS field names (rose_runtime/logs.py, rosec.model.logs), one object per record,
which is what a log collector wants and what a person cannot read. `text` turns each record into
`orders | 18:54:17.913 WARN  rose.amqp  cannot connect to the broker (...)  route=/orders id=3f2a9c1e`, with an
exception shown by its last line and the innermost frame outside the libraries, not the traceback (`--log-format
json` keeps it). `json` passes the services' lines through unchanged, without a prefix (each carries its
`service.name`), and wraps any other line (a crash before logging was set up) in an object of the same shape.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

Output = Callable[[str, str], None]  # (service name, line without newline)

LOG_FORMATS = ("text", "json")
# Shown in the line's fixed parts, or identical on every line of a service: not repeated as key=value details.
_OWN_FIELDS = frozenset({"@timestamp", "log.level", "log.logger", "message", "ecs.version", "service.name",
                         "service.environment", "service.version", "event.dataset", "rose.correlation_id",
                         "trace.id", "transaction.id", "error.type", "error.message", "error.stack_trace"})
_LEVELS = {"debug": "DEBUG", "info": "INFO", "warning": "WARN", "error": "ERROR", "critical": "CRIT"}
_COLORS = {"WARN": "33", "ERROR": "31", "CRIT": "1;31", "DEBUG": "2"}
_FRAME = re.compile(r'^\s*File "(?P<path>[^"]+)", line (?P<line>\d+)', re.MULTILINE)
_LIBRARY_PARTS = ("site-packages", "dist-packages", f"{os.sep}lib{os.sep}python")


def default_log_format(stream: TextIO) -> str:
    """text on a terminal, json otherwise (a pipe, a file, a log collector)."""
    return "text" if stream.isatty() else "json"


def wants_color(stream: TextIO) -> bool:
    return stream.isatty() and not os.environ.get("NO_COLOR")


def text_line(line: str, color: bool = False) -> str:
    """One readable line for a JSON log record; any other line as it is."""
    record = _record(line)
    if record is None:
        return line
    raw_level = str(record.get("log.level", ""))
    level = _LEVELS.get(raw_level, raw_level.upper())
    parts = [_paint(_local_time(record.get("@timestamp")), "2", color),
             _paint(f"{level:<5}", _COLORS.get(level), color),
             _paint(str(record.get("log.logger", "")), "2", color), str(record.get("message", ""))]
    details = [f"{_short(key)}={_value(value)}" for key, value in record.items()
               if key not in _OWN_FIELDS and value is not None]
    if record.get("rose.correlation_id"):
        details.append(f"id={str(record['rose.correlation_id'])[:8]}")
    text = " ".join(p for p in parts[:3] if p) + "  " + parts[3]
    if details:
        text += "  " + " ".join(details)
    if record.get("error.stack_trace"):
        text += "  " + _exception_summary(str(record["error.stack_trace"]), str(record.get("message", "")))
    return text


def json_line(service: str, line: str) -> str:
    """The service's JSON record unchanged; any other line wrapped in a record of the same shape."""
    if _record(line) is not None:
        return line
    ts = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return json.dumps({"@timestamp": ts, "log.level": "info", "message": line, "log.logger": "stdout",
                       "service.name": service}, ensure_ascii=False)


def printer(width: int, log_format: str, stream: TextIO | None = None, color: bool | None = None) -> Output:
    """An Output writing every line to stream (default stdout) in the format; text lines are prefixed with the
    service name, padded to width."""
    lock = threading.Lock()
    out = stream or sys.stdout
    paint = wants_color(out) if color is None else color

    def write(name: str, line: str) -> None:
        shown = json_line(name, line) if log_format == "json" else f"{name:<{width}} | {text_line(line, paint)}"
        with lock:
            out.write(shown + "\n")
            out.flush()

    return write


def _record(line: str) -> Mapping[str, Any] | None:
    if not line.startswith("{"):
        return None
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) and "message" in record else None


def _short(key: str) -> str:
    """labels.order_id -> order_id, rose.route -> route: the namespaces matter in Elasticsearch, not here."""
    return key.removeprefix("labels.").removeprefix("rose.")


def _local_time(ts: object) -> str:
    try:
        moment = datetime.fromisoformat(str(ts))
    except ValueError:
        return ""
    return moment.astimezone().strftime("%H:%M:%S.%f")[:-3]


def _value(value: object) -> str:
    shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return shown if shown and not any(c.isspace() for c in shown) else json.dumps(shown, ensure_ascii=False)


def _exception_summary(traceback: str, message: str) -> str:
    """`[KeyError: 'x' at services/shop/orders/handlers.py:42]`: the last line, and the innermost frame that is
    not in a library (the exception's text left out when the message already says it)."""
    last = traceback.rstrip().splitlines()[-1] if traceback.strip() else ""
    kind, _, text = last.partition(": ")
    kind = kind.rsplit(".", 1)[-1]
    summary = kind if text and text in message else f"{kind}: {text}" if text else kind
    frames = [m for m in _FRAME.finditer(traceback) if not any(p in m["path"] for p in _LIBRARY_PARTS)]
    if frames:
        summary += f" at {_relative(frames[-1]['path'])}:{frames[-1]['line']}"
    return f"[{summary}]"


def _relative(path: str) -> str:
    """Relative to the working directory when below it (the project's own code), else as it is."""
    here = os.getcwd() + os.sep
    return path[len(here):] if path.startswith(here) else path


def _paint(text: str, code: str | None, color: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if color and code and text else text
