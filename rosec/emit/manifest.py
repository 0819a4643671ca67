"""The manifest: what rosec wrote into an output directory, from what, with hashes and owning targets.

`.rosec-manifest.json` is committed with the output. Besides every file's SHA-256 and target, it records per
target what the files were built from: the rosec version, the SHA-256 of the spec's bytes and the versions of
the tools whose output lands in the files (protoc, through grpcio-tools, for `services`). That is everything the
output depends on: the handlers directory, the names and the ports are in the spec, and the project root does
not enter the output. It is deterministic (no paths, no times), so the golden set holds it too.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST_NAME = ".rosec-manifest.json"
MANIFEST_FORMAT = 2


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@dataclass(frozen=True)
class ManifestEntry:
    sha256: str
    target: str


@dataclass(frozen=True)
class Manifest:
    system: str
    spec: str
    files: dict[str, ManifestEntry]
    built_from: dict[str, dict[str, str]] = field(default_factory=dict)  # target -> {"rosec": ..., ...}

    def to_bytes(self) -> bytes:
        from rosec.emit.serialize import to_json  # not needed to read a manifest (an unchanged build only reads)

        return to_json({
            "format": MANIFEST_FORMAT,
            "generator": "rosec",
            "system": self.system,
            "spec": self.spec,
            "built_from": {target: dict(sorted(facts.items())) for target, facts in sorted(self.built_from.items())},
            "files": {path: {"sha256": e.sha256, "target": e.target} for path, e in sorted(self.files.items())},
        })


def parse_manifest(raw: bytes) -> Manifest | None:
    """The manifest in these bytes (format 1 has no `built_from`), or None when they are not one."""
    try:
        data = json.loads(raw)
        files = {p: ManifestEntry(e["sha256"], e["target"]) for p, e in data["files"].items()}
        built_from = {t: {str(k): str(v) for k, v in facts.items()} for t, facts in data.get("built_from", {}).items()}
        return Manifest(data["system"], data["spec"], files, built_from)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def read_manifest(out_dir: Path) -> Manifest | None:
    try:
        return parse_manifest((out_dir / MANIFEST_NAME).read_bytes())
    except OSError:
        return None
