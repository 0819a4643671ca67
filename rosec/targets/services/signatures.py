"""Handler signatures: the one definition shared by the generated base class, the scaffold and
`missing_handlers` (docs/services.md, "Handler signatures").

Order of parameters: path params in path order, then `body`, then query params, then `ctx`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rosec.model.messaging import Consumer
from rosec.model.services import Endpoint, GrpcMethod, Service
from rosec.spec.types import TypeRef
from rosec.targets.services import python_types

REQUEST_CONTEXT = "RequestContext"
MESSAGE_CONTEXT = "MessageContext"
# Handler names never take a name the base class defines (rosec.model.naming.HANDLER_RESERVED); path and
# query parameters never take the names of the fixed parameters (rosec.model.services.RESERVED_PARAMETERS).


@dataclass(frozen=True)
class Parameter:
    name: str
    annotation: str


@dataclass(frozen=True)
class Handler:
    name: str
    kind: str  # rest | grpc | consumer
    parameters: tuple[Parameter, ...]  # without self
    returns: str
    is_async: bool  # False only for server streaming: declared `def ... -> AsyncIterator[...]`
    doc: str  # one line saying what the handler serves
    types: tuple[TypeRef, ...]  # every type its annotations mention (for imports)

    @property
    def signature(self) -> str:
        """`get_orders_by_id(self, id: UUID, ctx: RequestContext) -> Order`"""
        params = ", ".join(["self", *(f"{p.name}: {p.annotation}" for p in self.parameters)])
        return f"{self.name}({params}) -> {self.returns}"

    @property
    def head(self) -> str:
        """`async def get_orders_by_id(` (server streaming: `def`, the contract of an async generator)."""
        return f"{'async def' if self.is_async else 'def'} {self.name}("

    @property
    def params(self) -> list[str]:
        return ["self", *(f"{p.name}: {p.annotation}" for p in self.parameters)]

    @property
    def tail(self) -> str:
        return f") -> {self.returns}"

    @property
    def definition(self) -> str:
        """The `def` line without the colon: `async def get_orders_by_id(self, ...) -> Order`."""
        return f"{'async def' if self.is_async else 'def'} {self.signature}"

    @property
    def implementation(self) -> str:
        """The `def` line of an implementation: always `async def` (an async generator when it streams)."""
        return f"async def {self.signature}"

    @property
    def streamed(self) -> str:
        """The type of each response of a streamed response (`AsyncIterator[StockLevel]` -> `StockLevel`)."""
        return self.returns.removeprefix("AsyncIterator[").removesuffix("]")

    @property
    def uses_async_iterator(self) -> bool:
        return "AsyncIterator[" in self.signature


def handlers(service: Service) -> list[Handler]:
    """Every handler of the service: REST endpoints, gRPC methods, consumed events, in that order."""
    return ([rest_handler(e) for e in service.endpoints] + [grpc_handler(m) for m in service.grpc_methods]
            + [consumer_handler(c) for c in service.consumers])


def _ref(name: str) -> TypeRef:
    return TypeRef("ref", name=name)


def rest_handler(endpoint: Endpoint) -> Handler:
    params = [Parameter(p.python_name, python_types.annotation(p.type)) for p in endpoint.params]
    types = [p.type for p in (*endpoint.params, *endpoint.query)]
    if endpoint.request:
        params.append(Parameter("body", endpoint.request))
        types.append(_ref(endpoint.request))
    params += [Parameter(q.python_name, python_types.annotation(q.type)) for q in endpoint.query]
    params.append(Parameter("ctx", REQUEST_CONTEXT))
    if endpoint.response:
        types.append(_ref(endpoint.response))
    doc = f"{endpoint.method} {endpoint.path}" + (f": {endpoint.summary}" if endpoint.summary else "")
    return Handler(endpoint.operation_id, "rest", tuple(params), endpoint.response or "None", True, doc,
                   tuple(types))


def grpc_handler(method: GrpcMethod) -> Handler:
    request = f"AsyncIterator[{method.request}]" if method.client_streaming else method.request
    response = f"AsyncIterator[{method.response}]" if method.server_streaming else method.response
    name = "requests" if method.client_streaming else "request"
    kind = {(False, False): "unary", (False, True): "server streaming", (True, False): "client streaming",
            (True, True): "bidirectional streaming"}[(method.client_streaming, method.server_streaming)]
    doc = f"gRPC {method.name} ({kind})" + (f": {method.summary}" if method.summary else "")
    return Handler(method.handler, "grpc", (Parameter(name, request), Parameter("ctx", REQUEST_CONTEXT)), response,
                   not method.server_streaming, doc, (_ref(method.request), _ref(method.response)))


def consumer_handler(consumer: Consumer) -> Handler:
    return Handler(consumer.handler, "consumer",
                   (Parameter("message", consumer.message), Parameter("ctx", MESSAGE_CONTEXT)), "None", True,
                   f"Consumes event {consumer.event} ({consumer.message})", (_ref(consumer.message),))


def model_names(handler_list: list[Handler]) -> list[str]:
    """Message and enum names the handlers' annotations mention, sorted."""
    return sorted({name for h in handler_list for t in h.types for name in t.references()})
