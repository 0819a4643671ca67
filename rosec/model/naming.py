"""Derived names: every name a target needs is computed here, once."""

from __future__ import annotations

import hashlib
import keyword
import re
from enum import StrEnum


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


def operation_id(method: str, path: str) -> str:
    """POST /orders/{id}/items -> post_orders_by_id_items"""
    parts = [method.lower()]
    for segment in path.strip("/").split("/"):
        if not segment:
            continue
        if segment.startswith("{"):
            parts.append(f"by_{segment[1:-1]}")
        else:
            parts.append(python_identifier(segment))
    return re.sub(r"_+", "_", "_".join(parts)).strip("_")


def normalized_route(path: str) -> str:
    """/orders/{id} and /orders/{order_id} are the same route."""
    return re.sub(r"\{[^}]+\}", "{}", path.rstrip("/") or "/")


def path_params(path: str) -> list[str]:
    return re.findall(r"\{([^}]+)\}", path)


def consumer_handler(event: str) -> str:
    return f"on_{python_identifier(event)}"


def bounded(name: str, limit: int) -> str:
    """`name` if it fits `limit` characters (e.g. AWS's: 32 characters for load balancers and target groups, 63 for
    RDS, 64 for IAM roles), else its head and a stable 8-character hash of the whole."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[:limit - 9].rstrip('-')}-{digest}"
