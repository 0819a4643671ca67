"""Options and arguments that several commands of the command line share."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from rosec.model.system import System

Load = Callable[[Path], "System"]  # resolves a spec, or exits with its diagnostics

SPEC = click.argument("spec", type=click.Path(path_type=Path, dir_okay=False))


def output_option(what: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """-o/--output: `what` the directory is, relative to the current directory, with the default."""
    return click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False),
                        help=f"{what} (relative to the current directory). "
                             "Default: generated/<system name> under the project root.")


OUTPUT = output_option("Output directory")
PROJECT_ROOT = click.option(
    "--project-root", type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="The directory that handlers_dir, the default output and rosec's local state (.rosec/) are relative to. "
         "Default: the nearest directory at or above the spec's that holds pyproject.toml or .git, else the "
         "spec's directory.")
