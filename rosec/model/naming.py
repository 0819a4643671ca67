"""Derived names: every name a target needs is computed here, once."""

from __future__ import annotations

import hashlib
import keyword
import re
from collections.abc import Collection
from enum import StrEnum
from functools import lru_cache

# HTTPStatus -> HTTP Status, but userIDs -> user IDs (a plural 's' stays with its acronym)
_ACRONYM_END = re.compile(r"([A-Z]+)([A-Z](?!s(?:[^a-z]|$))[a-z])")
_WORD_START = re.compile(r"([a-z0-9])([A-Z])")  # tripId -> trip Id, v2Name -> v2 Name
_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")


def python_identifier(name: str) -> str:
    """orders-db -> orders_db; order.created -> order_created"""
    return re.sub(r"[^a-z0-9_]", "_", name.lower())


def env_prefix(name: str) -> str:
    """orders-db -> ORDERS_DB"""
    return python_identifier(name).upper()


class GeneratedClass(StrEnum):
    """Suffixes of the classes generated for every service: <Service.class_prefix><suffix>, e.g. OrdersHandlers.

    One table for the targets that write these classes and the check that keeps messages from taking their names.
    """

    HANDLERS = "Handlers"
    DEPS = "Deps"
    CONFIG = "Config"
    SECRETS = "Secrets"
    EVENTS = "Events"
    CONSUMERS = "Consumers"
    REST_CLIENT = "RestClient"
    GRPC_CLIENT = "GrpcClient"
    SERVICER = "Servicer"
    SERVICE = "Service"  # the gRPC service of the .proto (Service.proto_service)


def generated_class(class_prefix: str, kind: GeneratedClass) -> str:
    return f"{class_prefix}{kind}"


def pascal_case(name: str) -> str:
    """orders-db -> OrdersDb"""
    return "".join(part.capitalize() for part in re.split(r"[^a-zA-Z0-9]+", name) if part)


def snake_case(name: str) -> str:
    """GetOrder -> get_order"""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def is_reserved_python(name: str) -> bool:
    return keyword.iskeyword(name) or keyword.issoftkeyword(name)


# -- wire names (JSON keys, enum values, parameters, events) -> identifiers -------------------------------------
@lru_cache(maxsize=1 << 14)  # the same field and parameter names come back in every service
def wire_words(wire: str) -> tuple[str, ...]:
    """The lowercase words of a wire name: tripId -> (trip, id); created-at -> (created, at); @type -> (type,);
    HTTPStatus -> (http, status); line_1 -> (line, 1); line1 -> (line1,) (digits stay with their word)."""
    spaced = _WORD_START.sub(r"\1 \2", _ACRONYM_END.sub(r"\1 \2", wire))
    return tuple(word.lower() for word in _SEPARATORS.split(spaced) if word)


def wire_identifier(wire: str, digit_prefix: str) -> str:
    """snake_case of a wire name, the base of its Python and protobuf names: tripId -> trip_id, 1st -> <prefix>_1st.

    Empty when the wire name has no letter or digit (the resolver rejects such names)."""
    identifier = "_".join(wire_words(wire))
    return f"{digit_prefix}_{identifier}" if identifier[:1].isdigit() else identifier


def python_name(identifier: str, reserved: Collection[str] = ()) -> str:
    """A wire identifier as a Python name: a keyword or a reserved name gets a trailing '_' (from -> from_)."""
    return f"{identifier}_" if keyword.iskeyword(identifier) or identifier in reserved else identifier


def operation_id(method: str, path: str) -> str:
    """POST /orders/{id}/items -> post_orders_by_id_items; GET /tripDetails/{tripId} -> get_trip_details_by_trip_id"""
    parts = [method.lower()]
    for segment in path.strip("/").split("/"):
        if segment.startswith("{"):
            parts.append("by")
            segment = segment[1:-1]
        parts += wire_words(segment)
    return "_".join(parts)


def normalized_route(path: str) -> str:
    """/orders/{id} and /orders/{order_id} are the same route."""
    return re.sub(r"\{[^}]+\}", "{}", path.rstrip("/") or "/")


def path_params(path: str) -> list[str]:
    return re.findall(r"\{([^}]+)\}", path)


# Names the generated handler base class defines itself: a handler derived to one of them gets a trailing '_'.
HANDLER_RESERVED = frozenset({"on_startup", "on_shutdown", "deps"})
# gRPC handlers also name the methods of the generated <Svc>GrpcClient, which has these attributes of its own.
GRPC_CLIENT_RESERVED = frozenset({"close", "target", "timeout"})


def grpc_handler(method: str) -> str:
    """GetStock -> get_stock; Class -> class_ (a keyword); Deps -> deps_ (the handler base class's attribute);
    Close -> close_ (the gRPC client's)"""
    return python_name(snake_case(method), HANDLER_RESERVED | GRPC_CLIENT_RESERVED)


def event_python_name(event: str) -> str:
    """order.created -> order_created, tripBooked -> trip_booked: the publisher method of the event."""
    return python_name(wire_identifier(event, "event"))


def consumer_handler(event: str) -> str:
    """order.created -> on_order_created; startup -> on_startup_ (the base class's hook)"""
    return python_name(f"on_{wire_identifier(event, 'event')}", HANDLER_RESERVED)


def bounded(name: str, limit: int) -> str:
    """`name` if it fits `limit` characters (e.g. AWS's: 32 characters for load balancers and target groups, 63 for
    RDS, 64 for IAM roles), else its head and a stable 8-character hash of the whole."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[:limit - 9].rstrip('-')}-{digest}"
