"""The manifest: what rosec wrote into an output directory, with hashes and owning targets."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from rosec.emit.serialize import to_json

MANIFEST_NAME = ".rosec-manifest.json"
MANIFEST_FORMAT = 1


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

    def to_bytes(self) -> bytes:
        return to_json({
            "format": MANIFEST_FORMAT,
            "generator": "rosec",
            "system": self.system,
            "spec": self.spec,
            "files": {path: {"sha256": e.sha256, "target": e.target} for path, e in sorted(self.files.items())},
        })


def read_manifest(out_dir: Path) -> Manifest | None:
    path = out_dir / MANIFEST_NAME
    try:
        data = json.loads(path.read_text("utf-8"))
        files = {p: ManifestEntry(e["sha256"], e["target"]) for p, e in data["files"].items()}
        return Manifest(data["system"], data["spec"], files)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
