"""`rosec run`: the command that runs the built services as local processes (rosec.run). Registered on the main
group by rosec.cli."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import click

from rosec.cli_options import PROJECT_ROOT, SPEC, Load, output_option
from rosec.project import project_root as project_root_of


class _RunDefault(click.Option):
    """An option whose default is a constant of rosec.run, read only when help or parsing needs it, so that
    the other commands do not import rosec.run (and urllib, ssl) just to build their command line."""

    def __init__(self, *args, run_default: str, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.run_default = run_default

    def get_default(self, ctx: click.Context, call: bool = True):  # type: ignore[no-untyped-def,override]
        from rosec import run as run_services

        return getattr(run_services, self.run_default)


def register(main: click.Group, load: Load) -> None:
    """Add `rosec run` to `main`; `load` resolves a spec or exits with its diagnostics."""
    main.add_command(_run_command(load))


def _run_command(load: Load) -> click.Command:
    @click.command("run", short_help="Run the built services as local processes on 127.0.0.1.")
    @SPEC
    @output_option("The built output to run")
    @PROJECT_ROOT
    @click.option("-s", "--service", "services", multiple=True, metavar="NAME",
                  help="Only this service (repeatable). Default: every service of the system.")
    @click.option("--env-file", type=click.Path(path_type=Path, dir_okay=False),
                  help="KEY=VALUE lines overriding the services' variables (the process environment wins over it). "
                       "Secrets may be given by variable or by secret name, as in the compose .env.")
    @click.option("--port-offset", type=int, default=0, show_default=True,
                  help="Shift the HTTP and gRPC ports of every service, e.g. to run two systems side by side.")
    @click.option("--ready-timeout", cls=_RunDefault, run_default="READY_TIMEOUT", type=float, show_default=True,
                  help="Seconds each service may take to answer /readyz.")
    @click.option("--log-format", type=click.Choice(["text", "json"]),
                  help="text: one readable line per log record, prefixed with the service; json: the services' JSON "
                       "lines unchanged. Default: text on a terminal, json otherwise.")
    @click.option("--issuer/--no-issuer", default=True, show_default=True,
                  help="Serve the realm's tokens from a local development issuer on Keycloak's published port; "
                       "--no-issuer: the compose environment's Keycloak runs there.")
    def run_command(spec: Path, output: Path | None, project_root: Path | None, services: tuple[str, ...],
                    env_file: Path | None, port_offset: int, ready_timeout: float, log_format: str | None,
                    issuer: bool) -> None:
        """Run the services of the built system as local processes against infrastructure on 127.0.0.1.

        Build first (`rosec build SPEC`); the services need rosec's `services` extra
        (pip install 'rosec[services]'). Each service runs as `python -m <service>.main` with
        PYTHONPATH=generated/<system>/services:<handlers_dir>/<service>, from the project root, with the variables
        of its compose environment, host names replaced by 127.0.0.1. First a local development issuer serves the
        realm's tokens on 127.0.0.1:8080 (see `rosec token`). Called services start before their callers, each
        once the previous one answers /readyz. Ctrl-C or SIGTERM stops them all gracefully. Exit 1 when a secret
        is missing, a service does not become ready, or one dies.

        \b
        Example (RabbitMQ and PostgreSQL on 127.0.0.1, see the README):
          rosec env init spec-examples/shop/rose.yaml && rosec run spec-examples/shop/rose.yaml --env-file .env
          rosec run spec-examples/shop/rose.yaml --env-file .env --service inventory --service orders
          rosec run spec-examples/shop/rose.yaml --log-format json > services.log
        """
        from rosec import run as run_services
        from rosec.devissuer.local import IssuerError
        from rosec.run_plan import RunError

        gc.enable()  # the console script turns the collector off for one-shot commands; this one runs for hours
        system = load(spec)
        try:
            status = run_services.run(system, project_root_of(spec, project_root), services=services or None,
                                      env_file=env_file, port_offset=port_offset, ready_timeout=ready_timeout,
                                      output=output, log_format=log_format, issuer=issuer)
        except (RunError, IssuerError) as error:
            click.echo(f"rosec run: {error}", err=True)
            sys.exit(1)
        sys.exit(status)

    return run_command
