"""Secrets never enter the spec: what counts as a credential, and that no diagnostic ever repeats one.

The keys and tokens below are fakes in the real formats (they were never issued by anyone).
"""

from __future__ import annotations

import json
import random
import re
import string
from pathlib import Path

import pytest
from click.testing import CliRunner

from rosec.cli import main
from rosec.forked import PROCESSES_VARIABLE
from rosec.spec.credentials import credential_kind, looks_random, mask, names_credential, redact

STRIPE = "sk_live_51HqLyjWDarjtT1zdp7dcXk9Q"
FAKES = {
    "a Stripe secret key": [STRIPE, "sk_test_4eC39HqLyjWDarjtT1zdp7dc", "rk_live_51HqLyjWDarjtT1zd"],
    "a Stripe webhook secret": ["whsec_Mz9Qk2Lp8Rt4Vw7Yb3Nc6Dx1"],
    "an AWS access key id": ["AKIAIOSFODNN7EXAMPLE", "ASIAY34FZKBOKMUTVV7A"],
    "a GitHub token": ["ghp_R2d2C3poBb8Kx0Lq9Zt4Wm7Yv1Nn5Ss6Hh3J", "gho_16C7e42F292c6912E7710c838347Ae178B4a",
                       "github_pat_11ABCDEFG0abcdefghijkl_mnopqrstuvwxyz0123456789ABCDEF"],
    "a GitLab token": ["glpat-Xk9Q2Lm8Pz4Rt7Vw3Ny6"],
    "a Slack token": ["xoxb-2712345678901-2712345678902-Zk9Q2Lm8Pz4Rt7Vw3Ny6Bc1D", "xoxp-1234567890-abcdefghij"],
    "a Slack webhook URL": ["https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"],
    "a Google API key": ["AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI"],
    "an OpenAI or Anthropic API key": ["sk-proj-Zk9Q2Lm8Pz4Rt7Vw3Ny6Bc1DxF5Gh", "sk-ant-api03-Zk9Q2Lm8Pz4Rt7Vw3Ny6"],
    "an npm token": ["npm_Zk9Q2Lm8Pz4Rt7Vw3Ny6Bc1DxF5Gh0Jk2Lm"],
    "a PyPI token": ["pypi-AgEIcHlwaS5vcmcCJDQ2ZTRjNjFmLTk5ZjMtNGZjYS1iNWQ4LWU4ZjU0ZTg0"],
    "a SendGrid API key": ["SG.Zk9Q2Lm8Pz4Rt7Vw3Ny6Bc.1DxF5Gh0Jk2Lm4Np6Qr8St0Uv2Wx4Yz6Ab8Cd"],
    "a PEM block (private key or certificate)": ["-----BEGIN RSA PRIVATE KEY-----", "-----BEGIN OPENSSH PRIVATE KEY"],
    "a JSON Web Token or base64-encoded JSON": [
        "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLWhlcmU"],
    "a URL with a password": ["postgresql://reports:Xk9-pw-2Lm@reports-db:5432/reports", "redis://:hunter2@cache:6379"],
    "a random key or password": ["x7Kq2Lm9Pz4Rt8Vw3Ny6Bc1D", "kX9#pQ2$vL8!mN4@wR7^zT5&", "aB3dE6gH9jK2mN5pQ8rS!",
                                 "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
}
# Values a config block holds every day: none of them is a credential.
EVERYDAY = ["EUR", "587", "smtp.shop.example.com", "https://payments.example.com/api/v2", "orders-queue-v2",
            "0 3 * * *", "en_US.UTF-8", "Europe/Berlin", "arn:aws:sqs:eu-west-1:123456789012:orders",
            "123e4567-e89b-12d3-a456-426614174000", "MyCompany-Production-Cluster-01", "K8sClusterV2ProdEuWest1",
            "optional[OrderLine2Item]", "John.Doe2@Example.com", "/var/lib/rosec/receipts", "task-queue-high",
            "https://user@example.com/repo.git", "X509CertificateThumbprint1", "Sends e-mails about orders"]


@pytest.mark.parametrize(("kind", "value"), [(k, v) for k, values in FAKES.items() for v in values])
def test_credential_formats_are_recognised(kind: str, value: str) -> None:
    assert credential_kind(value) == kind
    assert credential_kind(f"see {value} here") == kind, "inside text too"


@pytest.mark.parametrize("value", EVERYDAY)
def test_everyday_values_are_not_credentials(value: str) -> None:
    assert credential_kind(value) == ""


def test_only_the_guessing_rule_needs_guess() -> None:
    assert credential_kind("x7Kq2Lm9Pz4Rt8Vw3Ny6Bc1D", guess=False) == ""
    assert credential_kind(STRIPE, guess=False) == "a Stripe secret key"


def test_most_random_tokens_look_random_and_identifiers_do_not() -> None:
    rng = random.Random(20261201)
    alphabet = string.ascii_letters + string.digits
    tokens = ["".join(rng.choice(alphabet) for _ in range(32)) for _ in range(2000)]
    mixed = [t for t in tokens if re.search("[a-z]", t) and re.search("[A-Z]", t) and re.search("[0-9]", t)]
    share = sum(looks_random(t) for t in mixed) / len(mixed)
    assert share > 0.95, share  # one in 26 random tokens of 32 characters reads like words: documented


@pytest.mark.parametrize(("name", "credential"), [
    ("SMTP_PASSWORD", True), ("DB_PASSWD", True), ("SMTP_PASS", True), ("JWT_SECRET", True), ("API_TOKEN", True),
    ("STRIPE_API_KEY", True), ("APIKEY", True), ("PRIVATE_KEY", True), ("AWS_SECRET_ACCESS_KEY", True),
    ("GOOGLE_CREDENTIALS", True), ("DATABASE_DSN", True), ("AZURE_CONNECTION_STRING", True), ("SIGNING_KEY", True),
    ("TOKEN_TTL_SECONDS", False), ("PASSWORD_MIN_LENGTH", False), ("API_KEY_ID", False), ("OAUTH_TOKEN_URL", False),
    ("DB_PASSWORD_FILE", False), ("MAX_TOKENS", False), ("BYPASS_CACHE", False), ("SMTP_HOST", False),
    ("SORT_KEY", False), ("PUBLIC_KEY", False), ("SECRET_NAME", False), ("ORDER_CURRENCY", False),
])
def test_credential_names(name: str, credential: bool) -> None:
    assert names_credential(name) is credential


def test_redact_masks_credentials_and_keeps_the_rest() -> None:
    text = f"invalid value '{STRIPE}' in services.orders; URL postgresql://app:hunter2@db/app"
    assert redact(text) == ("invalid value 'sk_l…(redacted)' in services.orders; "
                            "URL postgresql://app:…(redacted)@db/app")
    assert redact("did you mean 'KEY_X7KQ2LM9PZ4RT8VW3NY6BC1D'?", ["x7Kq2Lm9Pz4Rt8Vw3Ny6Bc1D"]) == \
        "did you mean 'KEY_X7KQ…(redacted)'?"
    assert redact("nothing to hide: services.orders.rest[0].response, 'OrderLine2Item'") == \
        "nothing to hide: services.orders.rest[0].response, 'OrderLine2Item'"
    assert mask("short") == "…(redacted)"


# -- no output ever repeats a secret ---------------------------------------------------------------
RANDOM_SECRET = "x7Kq2Lm9Pz4Rt8Vw3Ny6Bc1D"
GITHUB = FAKES["a GitHub token"][0]
AWS = FAKES["an AWS access key id"][0]
# (where, replace, with): a fake credential planted in every kind of place a spec can hold text
PLANTED = [
    ("config value", "    gateway: { path: /api/orders }\n",
     f"    gateway: {{ path: /api/orders }}\n    config:\n      PAYMENT_PROVIDER: {STRIPE}\n"),
    ("secrets list", "    uses: [orders-db]\n",
     f"    uses: [orders-db]\n    secrets: [PAYMENT_KEY={STRIPE}, \"{RANDOM_SECRET}\"]\n"),
    ("field name", "      sku: string\n", f"      sku: string\n      {GITHUB}: string\n"),
    ("description", "  OrderLine:\n", f"  OrderLine:\n    description: \"token {GITHUB} for the catalog\"\n"),
    ("environment override", "    region: eu-west-1\n",
     f"    region: eu-west-1\n    services:\n      orders: {{ replicas: {AWS} }}\n"),
    ("unknown key", "  stock:\n", f"  stock:\n    api_token: {STRIPE}\n    {AWS}: 1\n"),
    ("role", "roles: [customer, admin]", f"roles: [customer, admin, {AWS}]"),
    ("enum value", "enum: [open, closed]", f"enum: [open, closed, {GITHUB}]"),
    ("type expression", "      quantity: int\n", f"      quantity: list[{RANDOM_SECRET}]\n"),
    ("gateway path", "gateway: { path: /api/orders }", f"gateway: {{ path: /api/{STRIPE} }}"),
    ("event name", "    publishes: [order.created]\n", f"    publishes: [order.created, \"{GITHUB}\"]\n"),
]
DEMO = (Path(__file__).resolve().parent / "valid" / "demo.yaml").read_text("utf-8")


def _normalized(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def assert_never_shown(output: str) -> None:
    """No eight characters in a row of any planted secret's body, in any letter case or with any separators."""
    shown = _normalized(output)
    for secret in (STRIPE, RANDOM_SECRET, GITHUB, AWS):
        body = _normalized(secret)[4:]
        windows = {body[i:i + 8] for i in range(len(body) - 7)}
        assert not [w for w in windows if w in shown], f"{secret[:4]}... shows in:\n{output}"


@pytest.mark.parametrize("processes", ["1", "2"], ids=["in-process", "checks-in-a-child"])
@pytest.mark.parametrize(("where", "old", "new"), PLANTED, ids=[p[0] for p in PLANTED])
def test_no_output_repeats_a_planted_credential(where: str, old: str, new: str, processes: str, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """With two processes, a spec whose schema is valid has its semantic checks run (and their findings masked)
    in a forked child, as a large spec has (rosec.model.resolve)."""
    monkeypatch.setenv(PROCESSES_VARIABLE, processes)
    assert DEMO.count(old) == 1
    text = DEMO.replace(old, new)
    (tmp_path / "rose.yaml").write_text(text, "utf-8")
    monkeypatch.chdir(tmp_path)
    planted_line = text[: text.index(new) + len(new.rstrip("\n"))].count("\n") + 1
    runner = CliRunner()
    as_text = runner.invoke(main, ["validate", "rose.yaml"])
    as_json = runner.invoke(main, ["validate", "--format", "json", "rose.yaml"])
    build = runner.invoke(main, ["build", "rose.yaml", "-o", "out"])
    assert as_text.exit_code == as_json.exit_code == build.exit_code == 1, as_text.output
    found = json.loads(as_json.stdout)
    assert any(item["line"] in (planted_line - 1, planted_line) for item in found), as_text.stderr
    for output in (as_text.stdout, as_text.stderr, as_json.stdout, build.stdout, build.stderr):
        assert_never_shown(output)


def test_a_yaml_syntax_error_next_to_a_credential_does_not_show_it(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "rose.yaml").write_text(DEMO.replace("  orders-db:\n", f"  {STRIPE}: [\n"), "utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "rose.yaml"])
    assert result.exit_code == 1 and "invalid YAML" in result.stderr
    assert_never_shown(result.stderr)


def test_the_long_words_of_a_text_are_the_matches_of_the_plain_pattern() -> None:
    """secret_parts takes the words of MIN_RANDOM_LENGTH characters or more from str.split instead of a regular
    expression: the same words, in the same order, whatever whitespace (Unicode's too) and quotes surround them."""
    from rosec.spec.credentials import MIN_RANDOM_LENGTH, _tokens

    pieces = ["a", "Zq9", "x" * 19, "k" * 20, "AbC123xYz" * 3, "'", '"', "`", " ", "\n", "\t", "\u00a0", "\u2028",
              "\x1c", "\x85", "\u3000", "(", ").", ":", "é", "-", "/"]
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        for length in (MIN_RANDOM_LENGTH, 5):
            expected = [m.group().strip(".,;:!?()[]{}<>") for m in re.finditer(rf"[^\s'\"`]{{{length},}}", text)]
            assert list(_tokens(text, length)) == expected, (text, length)
