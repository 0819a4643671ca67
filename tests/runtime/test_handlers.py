"""verify_handlers: the user's Handlers class against a base class shaped like the generated handlers.py."""

# No `from __future__ import annotations`: the classes are built inside functions, so their annotations must
# be objects (as they are in the generated modules, where every name is imported at module level).

import abc
import typing
from collections.abc import AsyncIterator
from types import SimpleNamespace
from uuid import UUID

import pytest
from pydantic import BaseModel


class NewOrder(BaseModel):
    sku: str


class Order(BaseModel):
    id: UUID


class StockLevel(BaseModel):
    available: int


class Receipt(BaseModel):
    order_id: UUID


def contract() -> SimpleNamespace:
    from rose_runtime.context import MessageContext, RequestContext

    class OrdersHandlers(abc.ABC):
        def __init__(self, deps: object) -> None:
            self.deps = deps

        async def on_startup(self) -> None:
            return None

        @abc.abstractmethod
        async def post_orders(self, body: NewOrder, ctx: RequestContext) -> Order: ...

        @abc.abstractmethod
        async def get_orders(self, status: str | None, ctx: RequestContext) -> list[Order]: ...

        @abc.abstractmethod
        def watch_stock(self, request: StockLevel, ctx: RequestContext) -> AsyncIterator[StockLevel]: ...

        @abc.abstractmethod
        async def upload_receipts(self, requests: AsyncIterator[Receipt], ctx: RequestContext) -> Order: ...

        @abc.abstractmethod
        async def on_payment_settled(self, message: Order, ctx: MessageContext) -> None: ...

    class Good(OrdersHandlers):
        async def post_orders(self, body: NewOrder, ctx: RequestContext) -> Order:
            raise NotImplementedError

        async def get_orders(self, status: typing.Optional[str], ctx: RequestContext) -> list[Order]:  # noqa: UP045
            return []

        async def watch_stock(self, request: StockLevel, ctx: RequestContext) -> typing.AsyncIterator[StockLevel]:
            yield StockLevel(available=1)

        async def upload_receipts(self, requests: AsyncIterator[Receipt], ctx: RequestContext) -> Order:
            raise NotImplementedError

        async def on_payment_settled(self, message: Order, ctx: MessageContext) -> None:
            return None

    return SimpleNamespace(base=OrdersHandlers, good=Good, RequestContext=RequestContext,
                           MessageContext=MessageContext)


def mismatch(base: type, impl: type) -> list[str]:
    from rose_runtime.handlers import HandlerMismatch, verify_handlers

    with pytest.raises(HandlerMismatch) as error:
        verify_handlers(base, impl)
    assert all(problem in str(error.value) for problem in error.value.problems)
    return list(error.value.problems)


def test_a_complete_and_matching_implementation_passes() -> None:
    from rose_runtime.handlers import verify_handlers

    c = contract()
    verify_handlers(c.base, c.good)


def test_missing_handlers_are_named_with_their_expected_signature() -> None:
    c = contract()

    class Partial(c.base):  # type: ignore[name-defined]
        async def on_payment_settled(self, message: Order, ctx: c.MessageContext) -> None:
            return None

    problems = mismatch(c.base, Partial)
    assert len(problems) == 4
    text = "\n".join(problems)
    assert "post_orders: not implemented; expected `async def post_orders(self, body: " in text
    assert "watch_stock: not implemented; expected `async def watch_stock(self, request: " in text
    assert "NewOrder" in text and "RequestContext" in text and "-> " in text


def test_wrong_signatures_and_kinds_are_all_reported() -> None:
    c = contract()
    rc = c.RequestContext

    class Wrong(c.good):  # type: ignore[name-defined]
        async def post_orders(self, body: dict, ctx: rc) -> Order:  # type: ignore[override]
            raise NotImplementedError

        async def get_orders(self, state: str | None, ctx: rc) -> list[Order]:  # type: ignore[override]
            return []

        def watch_stock(self, request: StockLevel, ctx: rc) -> AsyncIterator[StockLevel]:  # not a generator
            raise NotImplementedError

        async def upload_receipts(self, requests: AsyncIterator[Receipt], ctx: rc) -> Receipt:  # type: ignore
            raise NotImplementedError

        def on_payment_settled(self, message: Order, ctx: c.MessageContext) -> None:  # type: ignore[override]
            return None

        def on_startup(self) -> None:  # type: ignore[override]
            return None

    problems = mismatch(c.base, Wrong)
    by_method: dict[str, list[str]] = {}
    for problem in problems:
        by_method.setdefault(problem.split(":")[0], []).append(problem)
    assert set(by_method) == {"post_orders", "get_orders", "watch_stock", "upload_receipts", "on_payment_settled",
                              "on_startup"}
    assert "body: dict" in by_method["post_orders"][0] and "body: " in by_method["post_orders"][0]
    assert "state" in by_method["get_orders"][0]
    assert any("async generator" in p for p in by_method["watch_stock"])
    assert "Receipt" in by_method["upload_receipts"][0]
    assert any("must be async def, found a plain def" in p for p in by_method["on_payment_settled"])
    assert any("must be async def" in p for p in by_method["on_startup"])


def test_extra_or_missing_parameters_and_lost_defaults_are_mismatches() -> None:
    c = contract()
    rc = c.RequestContext

    class Extra(c.good):  # type: ignore[name-defined]
        async def post_orders(self, body: NewOrder, ctx: rc, verbose: bool) -> Order:  # type: ignore[override]
            raise NotImplementedError

    class NoCtx(c.good):  # type: ignore[name-defined]
        async def post_orders(self, body: NewOrder) -> Order:  # type: ignore[override]
            raise NotImplementedError

    assert len(mismatch(c.base, Extra)) == 1
    assert len(mismatch(c.base, NoCtx)) == 1

    class WithDefault(c.base):  # type: ignore[name-defined]
        @abc.abstractmethod
        async def find(self, limit: int = 10) -> None: ...

    class DropsDefault(c.good, WithDefault):  # type: ignore[name-defined, misc]
        async def find(self, limit: int) -> None:
            return None

    assert [p.split(":")[0] for p in mismatch(WithDefault, DropsDefault)] == ["find"]


def test_unresolvable_annotations_and_unrelated_classes_are_reported() -> None:
    c = contract()

    class Broken(c.good):  # type: ignore[name-defined]
        async def post_orders(self, body: "NoSuchModel", ctx: c.RequestContext) -> Order:  # type: ignore  # noqa: F821
            raise NotImplementedError

    assert "cannot resolve the annotations" in mismatch(c.base, Broken)[0]

    class Unrelated:
        pass

    assert "must subclass" in mismatch(c.base, Unrelated)[0]
