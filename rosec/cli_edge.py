"""The commands of the edge: `rosec env init` (the compose environment's .env) and `rosec token` (a token of the
local issuer, or of the compose environment's Keycloak). Registered on the main group by rosec.cli."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from rosec.cli_options import Load


def register(main: click.Group, load: Load) -> None:
    """Add the commands to `main`; `load` resolves a spec or exits with its diagnostics."""
    main.add_command(_env_group(load))
    main.add_command(_token_command(load))


def _env_group(load: Load) -> click.Group:
    @click.group("env", short_help="Write the env file of the compose environment.")
    def env() -> None:
        """The env file of the compose environment."""

    @env.command("init")
    @click.argument("spec", type=click.Path(path_type=Path, dir_okay=False))
    @click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=Path(".env"),
                  show_default=True, help="The env file to write; it must not exist.")
    def init(spec: Path, output: Path) -> None:
        """Write a git-ignored .env for SPEC's compose environment: a fresh random value for every secret of
        .env.example, and a freshly generated RSA key pair for the realm (Keycloak) and the gateway (Kong).
        Refuses to overwrite an existing file.

        \b
        Example:
          rosec env init spec-examples/shop/rose.yaml
          docker compose --env-file .env -f generated/shop/compose.yaml up --build
        """
        from rosec.envfile import EnvInitError, init_env_file

        try:
            for line in init_env_file(load(spec), output):
                click.echo(line)
        except EnvInitError as error:
            click.echo(f"rosec env init: {error}", err=True)
            sys.exit(1)

    return env


def _token_command(load: Load) -> click.Command:
    @click.command("token", short_help="Print an access token of a dev user or a service (local runs).")
    @click.argument("spec", type=click.Path(path_type=Path, dir_okay=False))
    @click.option("--user", metavar="NAME", help="A dev user of the compose environment (password grant).")
    @click.option("--client", metavar="SERVICE", help="The client of a calling service (client credentials).")
    @click.option("--audience", "audiences", multiple=True, metavar="SERVICE",
                  help="With --client: a service it calls, whose audience the token carries (repeatable). "
                       "Default: every service it calls.")
    @click.option("--env-file", type=click.Path(path_type=Path, dir_okay=False),
                  help="KEY=VALUE lines with the password or client secret (the environment wins over it).")
    @click.option("--port-offset", type=int, default=0, show_default=True,
                  help="The port offset of the `rosec run` whose issuer to ask.")
    @click.option("--claim", metavar="NAME", help="Print this claim of the token (e.g. sub) instead of the token.")
    def token(spec: Path, user: str | None, client: str | None, audiences: tuple[str, ...], env_file: Path | None,
              port_offset: int, claim: str | None) -> None:
        """Print an access token from the issuer of a local run (`rosec run`), or of the compose environment's
        Keycloak on its published port: for a dev user (its password from the environment or --env-file, under
        the name the spec gives it) or for a calling service's client (its client secret likewise).

        \b
        Example:
          TOKEN=$(rosec token spec-examples/shop/rose.yaml --user alice --env-file .env)
          curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8102/orders/...
          rosec token spec-examples/shop/rose.yaml --client orders --audience inventory --env-file .env
        """
        from rosec.devissuer.client import TokenError, request_token
        from rosec.run_plan import RunError, read_env_file

        if (user is None) == (client is None):
            raise click.UsageError("give exactly one of --user NAME and --client SERVICE")
        try:
            values = {**(read_env_file(env_file) if env_file else {}), **os.environ}
            printed = request_token(load(spec), values, user=user, client=client, audiences=audiences,
                                    port_offset=port_offset, claim=claim)
        except (TokenError, RunError) as error:
            click.echo(f"rosec token: {error}", err=True)
            sys.exit(1)
        click.echo(printed)

    return token
