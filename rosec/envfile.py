"""`rosec env init`: the `.env` of the compose environment, filled in, from the system's `.env.example`.

Every secret gets a fresh random value (32 URL-safe characters), the realm's signing key pair a freshly generated
RSA pair (the private key for Keycloak, the public key for Kong), optional variables stay empty. A secret that a
service itself declares (an API key of a provider) gets a random placeholder too, so that `docker compose up`
starts without hand-editing; the file says which values to replace with real credentials. The file is created
with mode 0600, never overwritten, and git-ignored.

Values are written as Docker Compose reads an env file: a value with line breaks double-quoted with `\\n`
escapes; `unescape` reads them back (rosec run --env-file).
"""

from __future__ import annotations

import os
import secrets
import subprocess
from pathlib import Path

from rosec.devissuer.keys import SigningKey
from rosec.model import identity
from rosec.model.system import System

SECRET_BYTES = 24  # 32 URL-safe characters
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", '"': '"', "$": "$"}


class EnvInitError(Exception):
    """The .env cannot be written; the message is meant for the user."""


def unescape(text: str) -> str:
    """A double-quoted env-file value without its escapes (\\n, \\r, \\t, \\\\, \\", \\$), as Compose reads it."""
    out: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            out.append(_ESCAPES.get(following, "\\" + following))
        else:
            out.append(char)
    return "".join(out)


def quoted(value: str) -> str:
    """A value as an env file holds it: plain when it is safe, else double-quoted with escapes."""
    if value and all(c.isalnum() or c in "-_.:/+=@" for c in value):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("\n", "\\n")
    return f'"{escaped}"'


def env_example(system: System) -> str:
    """The compose environment's .env.example, exactly as `rosec build` writes it."""
    from rosec.pipeline import render

    example = render(system, ["compose"]).files.get(system.layout.env_example)
    if example is None:
        raise EnvInitError(f"system {system.name} has no compose environment: there is no .env to write")
    return example.content.decode("utf-8")


def filled(system: System, example: str) -> str:
    """The lines of `example` with a value for every variable; a note above the placeholders of credentials."""
    key = SigningKey.generate()
    generated = {identity.SIGNING_PRIVATE_KEY_ENV: key.private_pem, identity.SIGNING_PUBLIC_KEY_ENV: key.public_pem}
    external = {s for service in system.services for s in service.secrets}
    lines: list[str] = []
    comment = ""
    body = example.splitlines()
    while body and body[0].startswith("#"):  # the example's own header and instructions
        body.pop(0)
    for line in body:
        name, sep, value = line.partition("=")
        if line.startswith("#") or not sep or value:
            lines.append(line)
            comment = line if line.startswith("#") else ""
            continue
        if "optional" in comment:
            lines.append(line)
            continue
        if name in external:
            lines.append("# a random placeholder: replace it with the real credential")
        lines.append(f"{name}={quoted(generated.get(name) or secrets.token_urlsafe(SECRET_BYTES))}")
    header = [f"# Written by `rosec env init` for system {system.name}: fresh secrets and a fresh key pair.",
              "# Keep it out of version control; compose reads it: docker compose --env-file .env -f "
              f"{system.layout.from_project_root(system.name, system.layout.compose_file)} up"]
    return "\n".join(header + lines) + "\n"


def init_env_file(system: System, target: Path) -> list[str]:
    """Write `target` (refused when it exists); what was done, line by line, for the user."""
    text = filled(system, env_example(system))
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise EnvInitError(f"{target} exists; rosec env init never overwrites it (delete it to start afresh, "
                           "and rotate what it held)") from None
    except OSError as error:
        raise EnvInitError(f"cannot write {target}: {error.strerror or error}") from None
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as file:
        file.write(text)
    done = [f"wrote {target} (mode 0600): {_count(text)} values"]
    ignored = _git_ignore(target)
    if ignored:
        done.append(ignored)
    return done


def _count(text: str) -> int:
    return sum(1 for line in text.splitlines() if line and not line.startswith("#") and "=" in line)


def _git_ignore(target: Path) -> str | None:
    """Make sure git ignores `target` when it lies in a git work tree: add it to .gitignore beside it."""
    directory = target.resolve().parent
    try:
        checked = subprocess.run(["git", "check-ignore", "-q", str(target.resolve())], cwd=directory,
                                 capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None  # no git: nothing to ignore it from
    if checked.returncode != 1:  # 0: ignored already; 128: not a git work tree
        return None
    ignore = directory / ".gitignore"
    existing = ignore.read_text("utf-8") if ignore.exists() else ""
    ignore.write_text(existing + ("" if existing.endswith("\n") or not existing else "\n") + f"/{target.name}\n",
                      "utf-8")
    return f"added /{target.name} to {ignore}: it holds secrets"
