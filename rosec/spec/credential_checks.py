"""Credentials never enter the spec: config entries that hold one, and credential formats anywhere else.

A config value is written into the generated files (compose.yaml, Helm values, Terraform); a secret is only
named in the spec and its value comes from the environment. Config is therefore checked strictly: by the name
of the variable and by everything its value may look like (rosec.spec.credentials). Every other key and value
of the document is checked for the formats that only credentials have (issuers' prefixes, PEM blocks, JWTs,
URLs with a password). Runs over the loaded data, so that a credential is found wherever it sits, also in a
part that the schema rejects.
"""

from __future__ import annotations

import re
from typing import Any

from rosec.diagnostics import Diagnostic
from rosec.spec import names
from rosec.spec.credentials import credential_kind, may_hold_known_format, names_credential
from rosec.spec.loader import LoadedSpec, PathKey

_REVOKE = "revoke the credential if this file was ever committed or shared"


def check_credentials(loaded: LoadedSpec) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    services = loaded.data.get("services")
    for name, service in services.items() if isinstance(services, dict) else ():
        config = service.get("config") if isinstance(service, dict) else None
        for key, value in config.items() if isinstance(config, dict) else ():
            found.extend(_config_entry(loaded, key, value, ("services", name, "config", key)))
    if may_hold_known_format(loaded.text):  # the walk costs 0.1 s for 1000 services: only when it can find one
        _walk(loaded, loaded.data, (), found)
    return found


def _walk(loaded: LoadedSpec, value: Any, path: PathKey, found: list[Diagnostic]) -> None:
    """Credentials of a known format in the keys and values outside config (which _config_entry checks)."""
    if isinstance(value, dict):
        in_config = len(path) == 3 and path[0] == "services" and path[2] == "config"
        for key, child in value.items():
            child_path = (*path, key)
            if not in_config and (kind := credential_kind(key, guess=False)):
                found.append(_elsewhere(loaded, child_path, kind, at_key=True))
            if not (in_config and isinstance(child, str)):
                _walk(loaded, child, child_path, found)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _walk(loaded, item, (*path, i), found)
    elif isinstance(value, str) and (kind := credential_kind(value, guess=False)):
        found.append(_elsewhere(loaded, path, kind, at_key=False))


def _config_entry(loaded: LoadedSpec, key: str, value: Any, path: PathKey) -> list[Diagnostic]:
    name = next((n for n in (key, key.upper()) if re.match(names.ENV_VAR, n)), "NAME")
    move = (f"move it to `secrets: [{name}]`: the spec keeps only the name, and the value comes from the "
            "environment (`.env` for compose, the secret store elsewhere)")
    kind = credential_kind(value) if isinstance(value, str) else ""
    if kind:
        return [loaded.diagnostic(path, f"config '{key}' holds a credential: its value looks like {kind}, and "
                                  "config values are written into the generated files", f"{move}; {_REVOKE}")]
    if names_credential(key):
        return [loaded.diagnostic(path, f"config '{key}' names a credential, and config values are written into "
                                  "the generated files", move, at_key=True)]
    return []


def _elsewhere(loaded: LoadedSpec, path: PathKey, kind: str, at_key: bool) -> Diagnostic:
    what = "key" if at_key else "value"
    message = f"this {what} contains what looks like {kind}; credentials never belong in the spec"
    if len(path) == 4 and path[0] == "services" and path[2] == "secrets":
        value = loaded.data["services"][path[1]]["secrets"][path[3]]
        head = str(value).split("=", 1)[0].strip()
        name = head if "=" in str(value) and re.match(names.ENV_VAR, head) else "NAME"
        return loaded.diagnostic(path, message, f"list only the variable's name (`secrets: [{name}]`) and set its "
                                 f"value in `.env` (compose) or the secret store; {_REVOKE}")
    return loaded.diagnostic(path, message, f"remove it; services receive credentials through `secrets`; {_REVOKE}",
                             at_key=at_key)
