"""Names the gRPC target derives from the model: generated Python names and proto service names (the proto
names of fields and enum values are derived in the model: rosec/model/messages.py)."""

from __future__ import annotations

from rosec.model import naming
from rosec.model.services import Service


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
