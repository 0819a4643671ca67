"""The base of every language model, and the helper for patterned names; shared by models.py and its siblings."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from rosec.spec import names


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


def Name(pattern: str, description: str, max_length: int = 63) -> object:  # noqa: N802 - reads as a type
    return Annotated[str, Field(pattern=pattern, min_length=1, max_length=max_length, description=description)]


RoleName = Name(names.ROLE_NAME, "A role of the identity realm.")
EnvVarName = Name(names.ENV_VAR, "An environment variable name: UPPER_SNAKE_CASE.")
RateLimitText = Annotated[str, Field(pattern=names.RATE_LIMIT, description=(
    "Requests per client: COUNT/UNIT with UNIT one of second, minute, hour, day, e.g. 100/minute."))]
