"""Names the gRPC target derives from the model: proto identifiers and generated Python names."""

from __future__ import annotations

from rosec.model import naming
from rosec.model.messages import EnumType
from rosec.model.services import Service


def upper_snake(name: str) -> str:
    """OrderStatus -> ORDER_STATUS, HTTPStatus -> HTTP_STATUS: the enum value prefix `buf lint` expects.

    A transcription of buf's stringutil.ToUpperSnakeCase (rule ENUM_VALUE_PREFIX): an upper-case
    letter starts a new word after a lower-case letter, or before one (the last capital of an acronym).
    """
    out = ""
    for i, char in enumerate(name):
        if i == 0:
            out += char
            continue
        following = name[i + 1] if i + 1 < len(name) else ""
        starts_word = char.isupper() and out[-1] != "_" and (
            (following != "" and not following.isupper() and not following.isdigit() and following != "_")
            or name[i - 1].islower()
        )
        out += f"_{char}" if starts_word else char
    return out.upper()


def enum_value(enum: EnumType, value: str) -> str:
    """OrderStatus / pending -> ORDER_STATUS_PENDING"""
    return f"{upper_snake(enum.name)}_{value.upper()}"


def enum_zero_value(enum: EnumType) -> str:
    return f"{upper_snake(enum.name)}_UNSPECIFIED"


def function_suffix(message: str) -> str:
    """OrderLine -> order_line, for to_pb_order_line / from_pb_order_line."""
    return naming.snake_case(message)


def pb2_module(service: Service) -> str:
    """inventory.v1.inventory_pb2"""
    return f"{service.python_name}.v1.{service.python_name}_pb2"


def pb2_grpc_module(service: Service) -> str:
    return f"{pb2_module(service)}_grpc"


def full_service_name(service: Service) -> str:
    """inventory.v1.InventoryService"""
    return f"{service.proto_package}.{service.proto_service}"
