"""What every module of the language's pydantic models shares: the closed base model and the name types.

The sections live in their own modules (models.py and its siblings), which import these; models.py ties them
together into RoseSpec.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from rosec.spec import names


class Spec(BaseModel):
    # The docstring under a field describes it in the JSON Schema: rosec.spec.field_docs reads them for
    # rosec.schema (pydantic's use_attribute_docstrings would parse every model's source at every start).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


def Name(pattern: str, description: str, max_length: int = 63) -> object:  # noqa: N802 - reads as a type
    return Annotated[str, Field(pattern=pattern, min_length=1, max_length=max_length, description=description)]


ServiceName = Name(names.DNS_LABEL, "A service: lowercase DNS label.", names.MAX_SERVICE_NAME)
DatastoreName = Name(names.DNS_LABEL, "A datastore: lowercase DNS label.", names.MAX_SERVICE_NAME)
MessageName = Name(names.MESSAGE_NAME, "A message or enum: PascalCase.")
EventName = Name(names.EVENT_NAME, "An event, also its AMQP routing key: dot-separated words, e.g. order.created.",
                 names.MAX_EVENT_NAME)
WireName = Name(names.WIRE_NAME, "A name on the wire (JSON key, enum value, query parameter): printable ASCII "
                "except '\"' and '\\'; the Python and protobuf names are derived from it.", names.MAX_WIRE_NAME)
PathParamName = Name(f"^{names.PATH_PARAM}$", "A path parameter: an RFC 6570 varname such as tripId or trip_id.")
RoleName = Name(names.ROLE_NAME, "A role of the identity realm.")
ScopeName = Name(names.SCOPE_NAME, "An OAuth scope of the identity realm.")
EnvVarName = Name(names.ENV_VAR, "An environment variable name: UPPER_SNAKE_CASE.")
EnvironmentName = Name(names.DNS_LABEL, "An environment: lowercase DNS label.", 20)
RateLimitText = Annotated[str, Field(pattern=names.RATE_LIMIT, description=(
    "Requests per client: COUNT/UNIT with UNIT one of second, minute, hour, day, e.g. 100/minute."))]
