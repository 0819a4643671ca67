"""The rosec command line: thin wrappers around rosec.pipeline and rosec.emit.writer."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from rosec import __version__
from rosec.cli_edge import register as register_edge_commands
from rosec.cli_options import OUTPUT, PROJECT_ROOT, SPEC
from rosec.cli_run import register as register_run_command
from rosec.diagnostics import SpecError, only_errors, render_json, render_text, summary
from rosec.pipeline import compile_spec, diagnose
from rosec.project import project_root as project_root_of
from rosec.project import shown

if TYPE_CHECKING:
    from rosec.building import BuildReport, Request
    from rosec.model.system import System

# The writer, the targets, the scaffold, the schema, the starter and rosec.run are imported by the commands
# that use them: `rosec validate` (run by editors and CI on every change) loads only what validation needs, and
# an unchanged `rosec build` only reads files.

STRICT_FAILURE = " (--strict: warnings fail)"

def _targets_option(func):  # type: ignore[no-untyped-def]
    return click.option("-t", "--target", "targets", multiple=True, metavar="NAME",
                        help="Only this target (repeatable). Default: every target. "
                             "See `rosec targets`.")(func)


def _strict_option(func):  # type: ignore[no-untyped-def]
    return click.option("--strict", is_flag=True,
                        help="Fail (exit 1) on warnings too, e.g. in CI.")(func)


def _fail_on_spec_errors(error: SpecError) -> NoReturn:
    click.echo(render_text(error.diagnostics), err=True)
    sys.exit(1)


def _print_warnings(rendered: str, strict: bool) -> None:
    """The spec's warnings on stderr (rendered by rosec.diagnostics.render_text); exit 1 with --strict."""
    if not rendered:
        return
    click.echo(rendered + (STRICT_FAILURE if strict else ""), err=True)
    if strict:
        sys.exit(1)


def _load_or_exit(spec: Path, strict: bool = False) -> System:
    """The resolved system, its warnings on stderr; on errors (or warnings with --strict) every diagnostic on
    stderr and exit status 1."""
    try:
        system, warnings = compile_spec(spec)
    except SpecError as error:
        _fail_on_spec_errors(error)
    _print_warnings(render_text(warnings) if warnings else "", strict)
    return system


def _request(spec: Path, output: Path | None, targets: tuple[str, ...], root: Path | None,
             strict: bool = False) -> Request:
    from rosec.building import Request

    return Request(spec, project_root_of(spec, root), output, tuple(dict.fromkeys(targets)) or None, strict)


def _build_command(spec: Path, output: Path | None, targets: tuple[str, ...], root: Path | None) -> str:
    """The `rosec build` command line that matches a check's options, for its advice."""
    words = ["rosec", "build", str(spec)]
    if output is not None:
        words += ["-o", str(output)]
    for target in dict.fromkeys(targets):
        words += ["--target", target]
    if root is not None:
        words += ["--project-root", str(root)]
    return " ".join(words)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="rosec")
def main() -> None:
    """rosec compiles one rose.yaml, the description of a whole microservice system,
    into everything that builds, wires, observes, secures and hosts it.

    \b
    Typical workflow:
      rosec init                 # write a starter rose.yaml
      rosec validate rose.yaml   # report every mistake with FILE:LINE:COL
      rosec build rose.yaml      # write generated/<system>/
      rosec check rose.yaml      # in CI: fail when generated/ drifted
      rosec run rose.yaml        # run the built services as local processes
    """


@main.command(short_help="Generate every target of SPEC into the output directory.")
@SPEC
@OUTPUT
@_targets_option
@PROJECT_ROOT
@click.option("--force", is_flag=True, help="Overwrite hand-edited or unknown files in the output directory.")
@_strict_option
def build(spec: Path, output: Path | None, targets: tuple[str, ...], project_root: Path | None,
          force: bool, strict: bool) -> None:
    """Generate every target of SPEC into the output directory.

    Only files whose bytes change are written and only files the spec no longer produces are removed, all or
    nothing: on any error nothing on disk changes. When neither the spec nor rosec changed and the output is
    as the last build left it, nothing is rendered and nothing is written. A generated file that was edited
    by hand stops the build unless --force is given. Missing handler modules are scaffolded under the
    project root (never overwritten). Warnings are printed on stderr; with --strict they stop the build
    before anything is written.

    \b
    Example:
      rosec build spec-examples/shop/rose.yaml
      rosec build rose.yaml -o generated/shop --target compose
    """
    from rosec import building
    from rosec.emit.writer import WriteRefusedError

    try:
        with _build_errors():
            report = building.build(_request(spec, output, targets, project_root, strict), force)
    except WriteRefusedError as refused:
        click.echo(f"rosec: {refused}", err=True)
        sys.exit(1)
    _print_warnings(report.spec_warnings, strict=False)
    for line in _build_summary(report):
        click.echo(line)
    for path in report.scaffolded:
        click.echo(f"scaffolded {shown(path)} (yours to edit; never overwritten)")
    for problem in report.warnings:
        click.echo(f"warning: {problem}", err=True)


@contextmanager
def _build_errors() -> Iterator[None]:
    """The user's mistakes of `build` and `check` as their messages and exit status 1 (or click's usage error)."""
    from rosec import building

    try:
        yield
    except SpecError as error:
        _fail_on_spec_errors(error)
    except building.StrictWarningsError as failed:
        _print_warnings(str(failed), strict=True)
    except building.UnknownTargetError as error:
        raise click.UsageError(str(error)) from None


def _build_summary(report: BuildReport) -> list[str]:
    result, out = report.result, shown(report.out)
    lines = [f"undid {result.undone} change(s) of an interrupted build in {out}"] if result and result.undone else []
    if result is None or not (result.written or result.removed or result.manifest_changed):
        return [*lines, f"{out} is up to date ({report.files} files; nothing written)"]
    if not (result.written or result.removed):
        return [*lines, f"updated {out}: its manifest only (what it was built from; no generated file changed)"]
    if len(result.written) == report.files and not result.removed:
        return [*lines, f"wrote {report.files} files to {out}"]
    return [*lines, f"updated {out}: {len(result.written)} written, {len(result.removed)} removed, "
                    f"{report.files - len(result.written)} unchanged"]


@main.command(short_help="Exit 1 when the output no longer matches SPEC (the CI gate).")
@SPEC
@OUTPUT
@_targets_option
@PROJECT_ROOT
@_strict_option
def check(spec: Path, output: Path | None, targets: tuple[str, ...], project_root: Path | None,
          strict: bool) -> None:
    """Exit 1 if the committed output no longer matches SPEC (the CI gate).

    Lists stale (spec changed), missing, extra and hand-edited files, and a build that was interrupted.
    Warnings are printed on stderr; with --strict they fail the check too.

    \b
    Example (in CI):
      rosec check --strict rose.yaml
    """
    from rosec import building

    with _build_errors():
        out, drift, warnings = building.check(_request(spec, output, targets, project_root, strict))
    _print_warnings(warnings, strict=False)
    shown_out = shown(out)
    if drift is None or drift.clean:
        click.echo(f"{shown_out} is up to date with {spec}")
        return
    for line in drift.lines(Path(shown_out)):
        click.echo(line, err=True)
    build_command = _build_command(spec, output, targets, project_root)
    if drift.hand_edited or drift.foreign:
        click.echo(f"{shown_out} does not match {spec}, and `{build_command}` would refuse to overwrite the "
                   f"hand-edited or foreign files. Either revert them (for example `git checkout -- {shown_out}` "
                   f"and remove the files git does not know), or discard them with `{build_command} --force`; "
                   "changes belong in the spec or the handlers.", err=True)
    else:
        click.echo(f"{shown_out} does not match {spec}; run `{build_command}` and commit the result", err=True)
    sys.exit(1)


@main.command(short_help="Report every error and warning in SPEC; exit 1 on an error.")
@SPEC
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json prints a list of {file, line, column, path, severity, message, hint} for editors and CI.")
@_strict_option
def validate(spec: Path, fmt: str, strict: bool) -> None:
    """Report every error and warning in SPEC; exit 1 if there is an error (or, with --strict, a warning).

    Errors and warnings are printed as FILE:LINE:COL: error|warning: PATH: MESSAGE, each with a hint.

    \b
    Example:
      rosec validate rose.yaml --format json
      rosec validate rose.yaml --strict    # in CI: warnings fail too
    """
    diagnostics = diagnose(spec)
    has_errors = bool(only_errors(diagnostics))
    failed = has_errors or (strict and bool(diagnostics))
    if fmt == "json":
        click.echo(render_json(diagnostics))
    elif diagnostics:
        click.echo(render_text(diagnostics) + (STRICT_FAILURE if failed and not has_errors else ""), err=True)
    if fmt == "text" and not failed:
        click.echo(f"{spec}: ok" + (f" ({summary(diagnostics)})" if diagnostics else ""))
    if failed:
        sys.exit(1)


@main.command(short_help="Print the JSON Schema of rose.yaml.")
def schema() -> None:
    """Print the JSON Schema of rose.yaml (the file published as schema/rose.schema.json).

    \b
    Example:
      rosec schema > rose.schema.json
    """
    from rosec.schema import schema_bytes

    click.echo(schema_bytes().decode("utf-8"), nl=False)


@main.command(short_help="Write a commented starter rose.yaml into DIRECTORY.")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False), default=".")
@click.option("--force", is_flag=True, help="Overwrite an existing rose.yaml.")
def init(directory: Path, force: bool) -> None:
    """Write a small, commented starter rose.yaml (and its JSON Schema) into DIRECTORY.

    \b
    Example:
      rosec init my-system && rosec build my-system/rose.yaml
    """
    from rosec.starter import write_starter

    try:
        written = write_starter(directory, force)
    except FileExistsError as exists:
        click.echo(f"rosec: {exists} already exists; pass --force to overwrite it", err=True)
        sys.exit(1)
    for path in written:
        click.echo(f"wrote {path}")


@main.command("targets", short_help="List the targets, each with what it writes.")
def list_targets() -> None:
    """List the targets this rosec can generate, each with one line of what it writes.

    Build only some of them with `--target NAME` (repeatable); `check` takes the same option.

    \b
    Example:
      rosec targets
      rosec build rose.yaml --target compose --target messaging
    """
    from rosec.targets import registered_targets

    targets = registered_targets()
    width = max(len(name) for name in targets)
    for name in sorted(targets):
        click.echo(f"{name:<{width}}  {targets[name].description}")


register_run_command(main, _load_or_exit)
register_edge_commands(main, _load_or_exit)
