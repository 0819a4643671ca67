"""The pinned runtime dependencies of generated services: the one table (services/requirements.txt and
rosec's `services` extra in pyproject.toml agree; a test checks it)."""

from __future__ import annotations

from rosec.model.system import System

# Top-level imports of generated services and rose_runtime, pinned to versions tested together.
PINS: tuple[tuple[str, str], ...] = (
    ("aio-pika", "10.2.1"),
    ("asyncpg", "0.32.0"),
    ("fastapi", "0.165.0"),
    ("grpcio", "1.85.3"),
    ("grpcio-health-checking", "1.85.1"),
    ("grpcio-reflection", "1.85.1"),
    ("httpx", "0.28.1"),
    ("prometheus-client", "0.26.0"),
    ("protobuf", "7.36.2"),
    ("pydantic", "2.14.4"),
    ("PyJWT[crypto]", "2.15.1"),
    ("sentry-sdk", "2.75.0"),
    ("uvicorn", "0.54.0"),
)


def requirement_lines() -> list[str]:
    return [f"{name}=={version}" for name, version in PINS]


def requirements_txt(system: System) -> bytes:
    lines = [system.header().rstrip("\n"),
             "# Runtime dependencies of every service of the system (rosec's `services` extra pins the same).",
             *requirement_lines()]
    return ("\n".join(lines) + "\n").encode("utf-8")
