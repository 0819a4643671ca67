"""Handlers of the hello service: hand-written code (scaffolded once by `rosec build`; yours now).

`rosec build` never overwrites this file. The contract is HelloHandlers in
    generated/minimal/services/hello/handlers.py
and the service refuses to start until every handler below is implemented with exactly the annotations it
has there.
"""

from __future__ import annotations

from hello.handlers import HelloHandlers
from hello.models import Greeting
from rose_runtime.context import RequestContext


class Handlers(HelloHandlers):
    """The hello handlers."""

    async def get_hello_by_name(self, name: str, ctx: RequestContext) -> Greeting:
        """GET /hello/{name}: a greeting for `name`."""
        return Greeting(message=f"Hello, {name}!")
