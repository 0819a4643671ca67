"""`rosec init`: a commented starter spec that builds cleanly, plus its schema for editors."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from rosec.schema import schema_bytes


def starter_spec() -> bytes:
    return files("rosec.resources").joinpath("starter.rose.yaml").read_bytes()


def write_starter(directory: Path, force: bool = False) -> list[Path]:
    spec = directory / "rose.yaml"
    if spec.exists() and not force:
        raise FileExistsError(str(spec))
    directory.mkdir(parents=True, exist_ok=True)
    spec.write_bytes(starter_spec())
    schema = directory / "rose.schema.json"
    schema.write_bytes(schema_bytes())
    return [spec, schema]
