"""Startup check that the user's Handlers class still matches the generated contract."""

from __future__ import annotations

import collections.abc
import inspect
import types
import typing
from collections.abc import Callable
from typing import Any

_STREAM_RETURNS = frozenset(
    {collections.abc.AsyncIterator, collections.abc.AsyncIterable, collections.abc.AsyncGenerator}
)


class HandlerMismatch(Exception):  # noqa: N818 - the name docs/services.md gives it
    """The handlers do not implement the generated base class; lists every problem found."""

    def __init__(self, impl: type, problems: list[str]) -> None:
        self.impl = impl
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"{impl.__module__}.{impl.__qualname__} does not match the generated contract "
            f"({len(problems)} problem(s)):\n{lines}"
        )


def verify_handlers(base: type, impl: type) -> None:
    """Raise HandlerMismatch unless `impl` subclasses `base`, implements every abstract method, and every
    method it overrides has the base's parameters (names, kinds, annotations), return annotation and kind
    (coroutine function, or async generator for streamed responses)."""
    if not (isinstance(impl, type) and issubclass(impl, base)):
        raise HandlerMismatch(impl, [f"{impl!r} must subclass {base.__module__}.{base.__qualname__}"])
    problems: list[str] = []
    for name in sorted(_contract_methods(base)):
        expected = inspect.getattr_static(base, name)
        found = inspect.getattr_static(impl, name)
        if getattr(found, "__isabstractmethod__", False):
            problems.append(f"{name}: not implemented; expected {_describe(name, expected, contract=True)}")
        elif found is not expected:
            problems += _compare(name, expected, found)
    if problems:
        raise HandlerMismatch(impl, problems)


def _contract_methods(base: type) -> set[str]:
    """The abstract handlers plus the optional async hooks (on_startup, ...) the base defines."""
    names = set(getattr(base, "__abstractmethods__", ()))
    for name, value in vars(base).items():
        if not name.startswith("_") and _is_async(value):
            names.add(name)
    return names


def _compare(name: str, expected: Any, found: Any) -> list[str]:
    if not callable(found) or isinstance(found, (staticmethod, classmethod)):
        return [f"{name}: expected {_describe(name, expected, contract=True)}, found {type(found).__name__}"]
    problems = []
    want_kind, got_kind = _kind(expected, contract=True), _kind(found)
    if want_kind != got_kind:
        problems.append(f"{name}: must be {_KIND_TEXT[want_kind]}, found {_KIND_TEXT[got_kind]}")
    want, got = _signature(expected), _signature(found)
    if isinstance(got, str) or isinstance(want, str):
        problems.append(f"{name}: {got if isinstance(got, str) else want}")
    elif not _same(want, got):
        problems.append(f"{name}: expected {_describe(name, expected, contract=True)}, found {_describe(name, found)}")
    return problems


def _kind(function: Callable[..., Any], *, contract: bool = False) -> str:
    """coroutine, asyncgen or function. In the contract (the generated base), an abstract plain
    `def f(...) -> AsyncIterator[T]` stands for an async generator; an implementation must really be one."""
    if inspect.isasyncgenfunction(function):
        return "asyncgen"
    if inspect.iscoroutinefunction(function):
        return "coroutine"
    if contract:
        hints = _hints(function)
        returns = hints.get("return") if isinstance(hints, dict) else None
        if typing.get_origin(returns) in _STREAM_RETURNS or returns in _STREAM_RETURNS:
            return "asyncgen"
    return "function"


_KIND_TEXT = {
    "asyncgen": "an async generator (async def with yield)",
    "coroutine": "async def",
    "function": "a plain def",
}


def _is_async(value: Any) -> bool:
    return inspect.iscoroutinefunction(value) or inspect.isasyncgenfunction(value)


def _hints(function: Callable[..., Any]) -> dict[str, Any] | str:
    try:
        return typing.get_type_hints(function)
    except Exception as error:  # NameError for an annotation naming something not imported, and the like
        return f"cannot resolve the annotations of {getattr(function, '__qualname__', function)}: {error}"


def _signature(function: Callable[..., Any]) -> inspect.Signature | str:
    """The signature without `self`, with annotations resolved to objects."""
    hints = _hints(function)
    if isinstance(hints, str):
        return hints
    signature = inspect.signature(function)
    parameters = [
        p.replace(annotation=hints.get(p.name, inspect.Parameter.empty))
        for p in list(signature.parameters.values())[1:]
    ]
    return signature.replace(parameters=parameters, return_annotation=hints.get("return", inspect.Signature.empty))


def _same(want: inspect.Signature, got: inspect.Signature) -> bool:
    if _normalize(want.return_annotation) != _normalize(got.return_annotation):
        return False
    if len(want.parameters) != len(got.parameters):
        return False
    for w, g in zip(want.parameters.values(), got.parameters.values(), strict=True):
        if w.name != g.name or w.kind != g.kind or _normalize(w.annotation) != _normalize(g.annotation):
            return False
        if w.default is not inspect.Parameter.empty and g.default is inspect.Parameter.empty:
            return False  # callers may leave out a parameter the contract gives a default
    return True


def _normalize(annotation: Any) -> Any:
    """typing.AsyncIterator[X] == collections.abc.AsyncIterator[X], Optional[X] == X | None, any union order."""
    origin = typing.get_origin(annotation)
    if origin is None:
        return annotation
    args = tuple(_normalize(a) for a in typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        return (typing.Union, frozenset(args))
    return (origin, args)


def _describe(name: str, function: Any, *, contract: bool = False) -> str:
    signature = _signature(function)
    prefix = "async def" if _kind(function, contract=contract) != "function" else "def"
    rest = str(signature)[1:] if isinstance(signature, inspect.Signature) else "...)"
    return f"`{prefix} {name}(self{rest if rest.startswith(')') else ', ' + rest}`"


class LifecycleHooks:
    """The optional hooks of a service's handlers; every generated contract inherits them."""

    async def on_startup(self) -> None:
        """Runs once at startup, after the datastores are open and before requests or messages arrive."""

    async def on_shutdown(self) -> None:
        """Runs once at shutdown, after the service stopped serving and before the datastores close."""
