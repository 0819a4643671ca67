"""Credentials in a spec: names that denote one, values that look like one, and text with them masked.

A credential never belongs in rose.yaml: the spec names secrets (`secrets: [SMTP_PASSWORD]`) and their values
come from the environment. The resolver rejects config entries that hold one (rosec.model.secret_checks), and
every diagnostic passes through `redact` before anyone sees it, so that no message or hint repeats such a value.

Values are recognised by the prefixes that issuers put on their keys and tokens, by the shape of PEM blocks,
JWTs and URLs with a password, and by randomness: a long token that mixes upper case, lower case and digits
and does not read as words. The rules are in docs/language.md (Secrets); tests/test_credentials.py holds the
values they must catch and the everyday config values they must leave alone.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from itertools import pairwise

from rosec.diagnostics import Diagnostic

# Words of an UPPER_SNAKE name that say it holds a credential, alone or as a pair (API_KEY).
CREDENTIAL_WORDS = frozenset({
    "PASSWORD", "PASSWD", "PASS", "PWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY", "CREDENTIAL", "CREDENTIALS",
    "CREDS", "DSN", "PRIVATEKEY", "SECRETKEY", "ACCESSKEY",
})
CREDENTIAL_PAIRS = frozenset({
    ("API", "KEY"), ("PRIVATE", "KEY"), ("ACCESS", "KEY"), ("SECRET", "KEY"), ("SIGNING", "KEY"),
    ("ENCRYPTION", "KEY"), ("MASTER", "KEY"), ("LICENSE", "KEY"), ("SESSION", "KEY"), ("HMAC", "KEY"),
    ("AUTH", "KEY"), ("CLIENT", "KEY"), ("CONNECTION", "STRING"),
})
# A name that ends in one of these describes a credential instead of holding one: TOKEN_TTL_SECONDS,
# PASSWORD_MIN_LENGTH, API_KEY_ID, OAUTH_TOKEN_URL, DB_PASSWORD_FILE (a path to the secret, Docker's convention).
DESCRIPTOR_WORDS = frozenset({
    "TTL", "SECONDS", "SECS", "MS", "MINUTES", "HOURS", "DAYS", "LIFETIME", "LIFESPAN", "EXPIRY", "EXPIRES",
    "EXPIRATION", "AGE", "TIMEOUT", "LENGTH", "LEN", "SIZE", "MIN", "MAX", "COUNT", "LIMIT", "ATTEMPTS",
    "RETRIES", "URL", "URI", "ENDPOINT", "HOST", "PORT", "PATH", "FILE", "DIR", "NAME", "ID", "ARN", "HEADER",
    "PARAM", "FIELD", "CLAIM", "ALGORITHM", "ALG", "TYPE", "POLICY", "ISSUER", "AUDIENCE", "SCOPE", "SCOPES",
    "ENABLED", "DISABLED", "REQUIRED", "ROTATION", "VERSION", "FORMAT", "PREFIX", "PROVIDER", "REF", "KIND",
})

# (what it is, the literal text that every match contains, pattern): keys and tokens by their issuer's prefix,
# and credential-shaped text. The literals find candidates fast; the patterns decide.
KNOWN_FORMATS: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = tuple(
    (label, markers, re.compile(pattern)) for label, markers, pattern in (
        ("a Stripe secret key", ("k_live_", "k_test_"), r"\b[rs]k_(?:live|test)_[0-9A-Za-z]{8,}"),
        ("a Stripe webhook secret", ("whsec_",), r"\bwhsec_[0-9A-Za-z]{16,}"),
        ("an AWS access key id", ("AKIA", "ASIA", "ABIA", "ACCA"), r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"),
        ("a GitHub token", ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
         r"\b(?:gh[pousr]_[0-9A-Za-z]{20,}|github_pat_[0-9A-Za-z_]{20,})"),
        ("a GitLab token", ("glpat-",), r"\bglpat-[0-9A-Za-z_-]{20,}"),
        ("a Slack token", ("xox",), r"\bxox[abprs]-[0-9A-Za-z-]{10,}"),
        ("a Slack webhook URL", ("hooks.slack.com",), r"https://hooks\.slack\.com/services/[0-9A-Za-z/]{16,}"),
        ("a Google API key", ("AIza",), r"\bAIza[0-9A-Za-z_-]{30,}"),
        ("an OpenAI or Anthropic API key", ("sk-",), r"\bsk-(?:proj-|ant-)?[0-9A-Za-z_-]{20,}"),
        ("an npm token", ("npm_",), r"\bnpm_[0-9A-Za-z]{30,}"),
        ("a PyPI token", ("pypi-",), r"\bpypi-[0-9A-Za-z_-]{40,}"),
        ("a SendGrid API key", ("SG.",), r"\bSG\.[0-9A-Za-z_-]{16,}\.[0-9A-Za-z_-]{16,}"),
        ("a PEM block (private key or certificate)", ("-----BEGIN",), r"-----BEGIN[A-Z0-9 ]*(?:-----)?"),
        ("a JSON Web Token or base64-encoded JSON", ("eyJ",), r"\beyJ[0-9A-Za-z_-]{10,}(?:\.[0-9A-Za-z_-]*)*"),
    ))
_MARKERS = re.compile("|".join(re.escape(marker) for _, markers, _ in KNOWN_FORMATS for marker in markers))
MIN_CREDENTIAL_LENGTH = 7  # the shortest that any rule matches: a://:p@
# scheme://user:password@host (the user may be empty: redis://:password@host)
URL_PASSWORD = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@]*:)(?P<password>[^\s/@]+)@")
_TOKEN = re.compile(r"[^\s'\"`]+")
_UNQUOTED = re.compile(r"[^'\"`]+")
_HEX = re.compile(r"[0-9a-fA-F]{32,}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")
_RUN = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")  # a word, an acronym or a number
_EDGES = ".,;:!?()[]{}<>"
MIN_RANDOM_LENGTH = 20
MIN_WORD_RUN = 4
MAX_WORDY_SHARE = 0.5
SHOWN_PREFIX = 4
MASK = "…(redacted)"


def names_credential(name: str) -> bool:
    """True when an UPPER_SNAKE_CASE name says that its value is a credential (SMTP_PASSWORD, STRIPE_API_KEY),
    False for names that describe one (TOKEN_TTL_SECONDS) and for everything else (MAX_TOKENS, BYPASS_CACHE)."""
    words = name.upper().split("_")
    if words[-1] in DESCRIPTOR_WORDS:
        return False
    return any(w in CREDENTIAL_WORDS for w in words) or any(pair in CREDENTIAL_PAIRS for pair in pairwise(words))


def credential_kind(value: str, guess: bool = True) -> str:
    """What the value looks like ('a Stripe secret key', ...), or '' when it does not look like a credential.

    guess: also recognise random-looking tokens (see looks_random), which everyday text rarely but sometimes
    resembles; without it, only the formats that nothing else has (issuers' prefixes, PEM, JWT, URL passwords).
    """
    if len(value) < MIN_CREDENTIAL_LENGTH:
        return ""
    if _MARKERS.search(value):
        for label, _, pattern in KNOWN_FORMATS:
            if pattern.search(value):
                return label
    if "://" in value and URL_PASSWORD.search(value):
        return "a URL with a password"
    if guess and any(looks_random(token) for token in _tokens(value)):
        return "a random key or password"
    return ""


def may_hold_known_format(text: str) -> bool:
    """False when no part of the text can be a credential of a known format (a fast test for a whole document)."""
    return "://" in text or _MARKERS.search(text) is not None


def looks_random(token: str) -> bool:
    """A long token that a machine generated: hex digits, or letters of both cases and digits in short runs.

    Names and identifiers read as words: most of their characters are in runs of four or more (MyCompany-
    Production-01, K8sClusterV2ProdEuWest1); generated keys and passwords switch between upper case, lower case
    and digits every one or two characters (a random token of 24 characters has 20% of them in such runs; one
    in 16 reaches half, and is missed).
    """
    if _HEX.fullmatch(token):
        return _has(token, str.isdigit) and _has(token, str.isalpha) and shannon_entropy(token) >= 3.0
    if len(token) < MIN_RANDOM_LENGTH or "://" in token or token.startswith("/") or _EMAIL.fullmatch(token):
        return False
    alnum = _NOT_ALNUM.sub("", token)
    if not (_has(alnum, str.islower) and _has(alnum, str.isupper) and _has(alnum, str.isdigit)):
        return False
    in_words = sum(len(run) for run in _RUN.findall(alnum) if len(run) >= MIN_WORD_RUN)
    return in_words / len(alnum) < MAX_WORDY_SHARE and shannon_entropy(token) >= 3.5


def shannon_entropy(text: str) -> float:
    """Bits per character of the text's own character distribution."""
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def secret_parts(text: str) -> list[str]:
    """The parts of a text that must never be shown: known keys and tokens, URL passwords, random tokens."""
    candidates = {_token_at(text, match.start()) for match in _MARKERS.finditer(text)}
    found = [m.group() for token in candidates for _, _, pattern in KNOWN_FORMATS for m in pattern.finditer(token)]
    if "://" in text:
        found += [m.group("password") for m in URL_PASSWORD.finditer(text)]
    found += [token for token in _tokens(text, MIN_RANDOM_LENGTH) if looks_random(token)]
    return found


def mask(secret: str) -> str:
    """The first few characters of a long secret, so the reader knows which one is meant, then a mark."""
    return (secret[:SHOWN_PREFIX] if len(secret) >= 16 else "") + MASK


def redact(text: str, known: Iterable[str] = ()) -> str:
    """The text with every credential-looking part masked: the given secrets (in any letter case) and whatever
    the detectors find."""
    for secret in sorted(set(known), key=len, reverse=True):
        text = re.sub(re.escape(secret), lambda m: mask(m.group()), text, flags=re.IGNORECASE)
    text = URL_PASSWORD.sub(lambda m: m.group("head") + mask(m.group("password")) + "@", text)
    for _, _, pattern in KNOWN_FORMATS:
        text = pattern.sub(lambda m: mask(m.group()), text)
    return _TOKEN.sub(lambda m: _redact_token(m.group()), text)


def _redact_token(token: str) -> str:
    core = token.strip(_EDGES)
    if not core or not looks_random(core):
        return token
    start = token.index(core)
    return token[:start] + mask(core) + token[start + len(core):]


def _tokens(value: str, min_length: int = 1) -> Iterator[str]:
    """Whitespace- and quote-separated words of at least min_length characters, without the brackets and
    punctuation around them. The long ones are found among str.split's words (which splits at exactly the
    characters that the regular expressions' \\s matches): a pattern such as `[^\\s'"`]{20,}` would be tried at
    every character of a 2 MB spec, scanning each shorter word again from each of its characters."""
    if min_length <= 1:
        yield from (match.group().strip(_EDGES) for match in _TOKEN.finditer(value))
        return
    for word in value.split():
        if len(word) < min_length:
            continue
        if "'" in word or '"' in word or "`" in word:
            yield from (part.strip(_EDGES) for part in _UNQUOTED.findall(word) if len(part) >= min_length)
        else:
            yield word.strip(_EDGES)


def _token_at(text: str, index: int) -> str:
    """The whitespace-separated word of text around index."""
    start = max(text.rfind(c, 0, index) for c in " \n\t'\"") + 1
    ends = [end for end in (text.find(c, index) for c in " \n\t'\"") if end >= 0]
    return text[start:min(ends, default=len(text))]


def _has(token: str, test: Callable[[str], bool]) -> bool:
    return any(test(c) for c in token)


def redact_diagnostics(diagnostics: Iterable[Diagnostic], source: str) -> list[Diagnostic]:
    """The diagnostics with every credential-looking part of their path, message and hint masked: the secrets
    found in the source text (in any letter case) and whatever else the detectors recognise."""
    return diagnostics_redactor(source)(diagnostics)


def diagnostics_redactor(source: str) -> Callable[[Iterable[Diagnostic]], list[Diagnostic]]:
    """redact_diagnostics for this source, its secrets found now (a scan of the whole text)."""
    known = secret_parts(source)
    return lambda diagnostics: [replace(d, path=redact(d.path, known), message=redact(d.message, known),
                                        hint=redact(d.hint, known)) for d in diagnostics]
