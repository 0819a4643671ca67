"""The rosec command line: thin wrappers around rosec.pipeline and rosec.emit.writer."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from rosec import __version__
from rosec.cli_edge import register as register_edge_commands
from rosec.diagnostics import SpecError, only_errors, render_json, render_text, summary
from rosec.pipeline import compile_spec, default_output, diagnose, render

if TYPE_CHECKING:
    from rosec.model.system import System

# The writer, the targets, the scaffold, the schema, the starter and rosec.run are imported by the commands
# that use them: `rosec validate` (run by editors and CI on every change) loads only what validation needs.

SERVICES_TARGET = "services"
STRICT_FAILURE = " (--strict: warnings fail)"

SPEC = click.argument("spec", type=click.Path(path_type=Path, dir_okay=False))
OUTPUT = click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False),
                      help="Output directory. Default: generated/<system name> under the current directory.")


class _RunDefault(click.Option):
    """An option whose default is a constant of rosec.run, read only when help or parsing needs it, so that
    the other commands do not import rosec.run (and urllib, ssl) just to build their command line."""

    def __init__(self, *args, run_default: str, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.run_default = run_default

    def get_default(self, ctx: click.Context, call: bool = True):  # type: ignore[no-untyped-def,override]
        from rosec import run as run_services

        return getattr(run_services, self.run_default)


def _targets_option(func):  # type: ignore[no-untyped-def]
    return click.option("-t", "--target", "targets", multiple=True, metavar="NAME",
                        help="Only this target (repeatable). Default: every target. "
                             "See `rosec targets`.")(func)


def _strict_option(func):  # type: ignore[no-untyped-def]
    return click.option("--strict", is_flag=True,
                        help="Fail (exit 1) on warnings too, e.g. in CI.")(func)


def _load_or_exit(spec: Path, strict: bool = False) -> System:
    """The resolved system, its warnings on stderr; on errors (or warnings with --strict) every diagnostic on
    stderr and exit status 1."""
    try:
        system, warnings = compile_spec(spec)
    except SpecError as error:
        click.echo(render_text(error.diagnostics), err=True)
        sys.exit(1)
    if warnings:
        click.echo(render_text(warnings) + (STRICT_FAILURE if strict else ""), err=True)
    if strict and warnings:
        sys.exit(1)
    return system



def _chosen_targets(targets: tuple[str, ...]) -> list[str] | None:
    if not targets:
        return None
    from rosec.targets import available_targets

    known = available_targets()
    unknown = [t for t in targets if t not in known]
    if unknown:
        raise click.UsageError(f"unknown target(s): {', '.join(unknown)}; available: {', '.join(sorted(known))}")
    return list(dict.fromkeys(targets))


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


@main.command()
@SPEC
@OUTPUT
@_targets_option
@click.option("--force", is_flag=True, help="Overwrite hand-edited or unknown files in the output directory.")
@_strict_option
def build(spec: Path, output: Path | None, targets: tuple[str, ...], force: bool, strict: bool) -> None:
    """Generate every target of SPEC into the output directory.

    The directory is replaced in one step: on any error nothing on disk changes.
    Files the spec no longer produces are removed; a generated file that was
    edited by hand stops the build unless --force is given. Warnings are printed
    on stderr; with --strict they stop the build before anything is written.

    \b
    Example:
      rosec build spec-examples/shop/rose.yaml
      rosec build rose.yaml -o generated/shop --target compose
    """
    from rosec.emit import writer

    chosen = _chosen_targets(targets)
    system = _load_or_exit(spec, strict)
    out = output or default_output(system)
    tree = render(system, chosen)
    try:
        drift = writer.write(out, tree, system.name, system.spec_file, chosen, force)
    except writer.WriteRefusedError as refused:
        click.echo(f"rosec: {refused}", err=True)
        sys.exit(1)
    changed = len(drift.stale) + len(drift.missing) + len(drift.extra) + len(drift.hand_edited)
    click.echo(f"wrote {len(tree.files)} files to {out} ({changed} changed)")
    if chosen is None or SERVICES_TARGET in chosen:
        _scaffold_handlers(system)


def _scaffold_handlers(system: System) -> None:
    """Generation gap: write missing handler modules once, then warn about every handler they lack.

    The project root is the current directory, as for the default output directory.
    """
    from rosec.targets.services.scaffold import missing_handlers, scaffold

    project_root = Path(".")
    for path in scaffold(system, project_root):
        click.echo(f"scaffolded {path} (yours to edit; never overwritten)")
    for problem in missing_handlers(system, project_root):
        click.echo(f"warning: {problem}", err=True)


@main.command()
@SPEC
@OUTPUT
@_targets_option
@_strict_option
def check(spec: Path, output: Path | None, targets: tuple[str, ...], strict: bool) -> None:
    """Exit 1 if the committed output no longer matches SPEC (the CI gate).

    Lists stale (spec changed), missing, extra and hand-edited files. Warnings
    are printed on stderr; with --strict they fail the check too.

    \b
    Example (in CI):
      rosec check --strict rose.yaml
    """
    from rosec.emit import writer

    chosen = _chosen_targets(targets)
    system = _load_or_exit(spec, strict)
    out = output or default_output(system)
    drift = writer.compare(out, render(system, chosen), chosen)
    if drift.clean:
        click.echo(f"{out} is up to date with {spec}")
        return
    for line in drift.lines(out):
        click.echo(line, err=True)
    click.echo(f"{out} does not match {spec}; run `rosec build {spec}` and commit the result", err=True)
    sys.exit(1)


@main.command()
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


@main.command()
def schema() -> None:
    """Print the JSON Schema of rose.yaml (the file published as schema/rose.schema.json).

    \b
    Example:
      rosec schema > rose.schema.json
    """
    from rosec.schema import schema_bytes

    click.echo(schema_bytes().decode("utf-8"), nl=False)


@main.command()
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


@main.command("run")
@SPEC
@click.option("-s", "--service", "services", multiple=True, metavar="NAME",
              help="Only this service (repeatable). Default: every service of the system.")
@click.option("--env-file", type=click.Path(path_type=Path, dir_okay=False),
              help="KEY=VALUE lines overriding the services' variables (the process environment wins over it). "
                   "Secrets may be given by variable or by secret name, as in the compose .env.")
@click.option("--port-offset", type=int, default=0, show_default=True,
              help="Shift the HTTP and gRPC ports of every service, e.g. to run two systems side by side.")
@click.option("--ready-timeout", cls=_RunDefault, run_default="READY_TIMEOUT", type=float, show_default=True,
              help="Seconds each service may take to answer /readyz.")
@click.option("--issuer/--no-issuer", default=True, show_default=True,
              help="Serve the realm's tokens from a local development issuer on Keycloak's published port; "
                   "--no-issuer: the compose environment's Keycloak runs there.")
def run_command(spec: Path, services: tuple[str, ...], env_file: Path | None, port_offset: int,
                ready_timeout: float, issuer: bool) -> None:
    """Run the services of the built system as local processes against infrastructure on 127.0.0.1.

    Build first (`rosec build SPEC`). Each service runs as `python -m <service>.main` with
    PYTHONPATH=generated/<system>/services:<handlers_dir>/<service>, from the current directory (the project
    root), with the variables of its compose environment, host names replaced by 127.0.0.1. First a local
    development issuer serves the realm's tokens on 127.0.0.1:8080 (see `rosec token`). Called services
    start before their callers, each once the previous one answers /readyz; output lines are prefixed with
    the service name. Ctrl-C or SIGTERM stops them all gracefully. Exit 1 when a secret is missing, a service
    does not become ready, or one dies.

    \b
    Example (RabbitMQ and PostgreSQL on 127.0.0.1, see the README):
      rosec env init spec-examples/shop/rose.yaml && rosec run spec-examples/shop/rose.yaml --env-file .env
      rosec run spec-examples/shop/rose.yaml --env-file .env --service inventory --service orders
    """
    from rosec import run as run_services
    from rosec.devissuer.local import IssuerError

    system = _load_or_exit(spec)
    try:
        status = run_services.run(system, Path("."), services=services or None, env_file=env_file,
                                  port_offset=port_offset, ready_timeout=ready_timeout, issuer=issuer)
    except (run_services.RunError, IssuerError) as error:
        click.echo(f"rosec run: {error}", err=True)
        sys.exit(1)
    sys.exit(status)


@main.command("targets")
def list_targets() -> None:
    """List the targets this rosec can generate."""
    from rosec.targets import available_targets

    for name in sorted(available_targets()):
        click.echo(name)


register_edge_commands(main, _load_or_exit)
