"""Hypothesis strategies for rose.yaml specs whose names collide on purpose across every namespace.

Every name is drawn from a small pool per namespace, and the pools overlap: message and enum names with gRPC
methods, generated class names (OrdersService, OrdersHandlers) and protoc's own (DESCRIPTOR); field, parameter
and enum value wire names with one another in camelCase, snake_case and kebab-case, with Python keywords,
pydantic attributes, handler parameters and proto keywords; services, datastores and environments with one
another, with keywords, the standard library and infrastructure hosts; events with each other after
normalization and with the handler methods. The structure is kept valid (references resolve, no cycles, no
body on GET) so that most specs pass validation and the build is exercised; what fails validation is a name
clash the resolver reports, which is fine.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from rosec.emit.serialize import to_yaml

# Each namespace has a pool of names the resolver accepts (colliding with other namespaces on purpose) and a
# pool of names it rejects (taken by generated code, keywords, the standard library, infrastructure hosts),
# drawn rarely (REJECTED_ODDS) so that most specs validate and the build is exercised.
REJECTED_ODDS = 60
PASCAL = ("Order", "Orders", "OrderLine", "Reserve", "GetStock", "Stock", "Trip", "TripId", "Status", "HttpStatus",
          "HTTPStatus", "Item", "Empty", "Date", "String", "Type", "Class",
          "From", "Import", "Get", "List", "StockDeps", "Stub", "V1", "A1b", "Ab1", "OrdersServiceStub",
          "Servicer", "Service", "Convert", "Models", "Pb", "Grpc", "Descriptor", "Logger", "Message", "Settings",
          "Timestamp", "ConversionError", "SERVICE", "UTC", "OnOrderCreated", "OnStartup", "Deps", "Close")
PASCAL_REJECTED = ("OrdersService", "OrdersHandlers", "TripsEvents", "OrdersServicer", "Handlers", "Problem",
                   "Field", "DESCRIPTOR", "Decimal", "BaseModel", "None", "True", "Request", "Response", "Runtime")
FIELDS = ("id", "tripId", "trip_id", "trip-id", "TripId", "from", "from_", "class", "type", "json", "copy",
          "schema", "model_config", "model_dump", "fields", "self", "body", "ctx", "created-at", "createdAt",
          "created_at", "@type", "$ref", "1st", "line_1", "line1", "date", "str", "int", "list", "dict", "bytes",
          "UUID", "datetime", "order", "status", "value", "name", "message", "syntax", "option", "import",
          "None", "true", "null", "a b", "x-Request-ID", "unit__price", "_private", "mro", "validate", "Field",
          "request", "response", "descriptor", "DESCRIPTOR", "items", "keys", "filter[status]")
ENUM_VALUES = ("pending", "PENDING", "in_progress", "IN_PROGRESS", "in-progress", "class", "from", "None", "none",
               "true", "1st", "mro", "name", "value", "_x", "a b", "done", "open", "closed", "upper", "DESCRIPTOR",
               "format")
ENUM_VALUES_REJECTED = ("unspecified", "UNSPECIFIED", "--")
PATH_PARAMS = ("id", "tripId", "trip_id", "trip.id", "1", "self", "body", "ctx", "from", "class", "Id", "_id",
               "date", "str", "order")
SEGMENTS = ("orders", "trips", "order-items", "order_items", "orderItems", "stock", "v1", "1", "Trips", "from",
            "class", "get", "healthz", "metrics", "a.b", "~x")
EVENTS = ("order.created", "order.created_at", "order_created.at", "orderCreated", "from", "class", "import.x",
          "startup", "shutdown", "stock.depleted", "a.b-c", "a-b.c", "deps", "Trip.Booked.v1", "payment.settled",
          "order.shipped", "OrderShipped.v2", "close", "on.startup", "x")
HOSTS = ("orders", "order", "trips", "stock", "service", "orders-2", "order-service", "get", "reserve", "none",
         "true", "type", "models", "api", "main", "v1", "convert", "status", "inventory", "orders-db", "billing",
         "x1", "handlers-svc", "deps", "pb", "match", "case", "orders-rest", "stock-grpc")
HOSTS_REJECTED = ("from", "class", "email", "json", "grpc", "orders2", "rabbitmq", "handlers", "typing", "import",
                  "events", "config", "secrets")
ENVIRONMENTS = ("dev", "prod", "from", "class", "orders", "local", "test", "staging")
# Config keys and secrets, colliding with the variables rosec derives (PORT, <PEER>_URL, <STORE>_PASSWORD, ...).
ENV_VARS = ("FEATURE_FLAG", "SMTP_HOST", "API_KEY", "LOG_LEVEL", "ROSE", "X", "ORDERS", "TRIP_ID", "FROM", "CLASS",
            "ORDERS_DB", "STOCK_GRPC", "FIELD", "FROM_SETTINGS", "STR", "SETTINGS", "CLS")
ENV_VARS_REJECTED = ("PORT", "ORDERS_URL", "ORDERS_DB_URL", "ORDERS_DB_PASSWORD", "STOCK_GRPC_TARGET", "AMQP_URL",
                     "SERVICE_NAME")
ROLES = ("customer", "admin", "from", "class", "orders", "order-admin")
SCALARS = ("string", "int", "float", "bool", "uuid", "decimal", "datetime", "date", "bytes")
PATH_SCALARS = ("string", "int", "bool", "uuid", "decimal", "date")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


# What a hosting requires besides itself; the kubernetes settings expose the edge by load balancer, with a TLS Secret.
HOSTING_SETTINGS: dict[str, dict[str, Any]] = {
    "aws": {"region": "eu-west-1"},
    "kubernetes": {"kubernetes": {"registry": "registry.example.com/team", "load_balancer": True,
                                  "tls": {"secret": "edge-tls"}}},
}


def _unique(pool: tuple[str, ...], low: int, high: int, rejected: tuple[str, ...] = ()) -> st.SearchStrategy[list[str]]:
    """Distinct names of a pool; now and then one of the names the resolver rejects."""
    name = st.sampled_from(pool)
    if rejected:
        name = st.sampled_from(range(REJECTED_ODDS)).flatmap(  # shrinks towards the accepted pool
            lambda k: st.sampled_from(rejected) if k == REJECTED_ODDS - 1 else st.sampled_from(pool))
    return st.lists(name, min_size=low, max_size=high, unique=True)


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    """A spec as data; `spec_text` turns it into rose.yaml."""
    names = draw(_unique(PASCAL, 2, 6, PASCAL_REJECTED))
    enum_count = draw(st.integers(0, min(2, len(names) - 1)))
    enums, records = names[:enum_count], names[enum_count:]
    messages: dict[str, Any] = {name: {"enum": draw(_unique(ENUM_VALUES, 1, 4, ENUM_VALUES_REJECTED))}
                                for name in enums}
    for i, name in enumerate(records):
        fields = draw(_unique(FIELDS, 1, 5))
        messages[name] = {"fields": {f: draw(field_type(records[:i], records[i:], enums)) for f in fields}}
    events = {name: {"message": draw(st.sampled_from(records))} for name in draw(_unique(EVENTS, 0, 3))}
    roles = draw(_unique(ROLES, 1, 3)) if draw(st.booleans()) else []  # with an identity provider
    hosts = draw(_unique(HOSTS, 1, 5, HOSTS_REJECTED))
    split = draw(st.integers(1, len(hosts)))
    service_names, store_names = hosts[:split], hosts[split:]
    datastores = {name: {"engine": draw(st.sampled_from(("postgres", "volume")))} for name in store_names}
    services: dict[str, Any] = {}
    for name in service_names:
        services[name] = draw(service(records, enums, list(events), list(datastores), services, roles))
        if services[name].get("rest") and draw(st.booleans()):
            services[name]["gateway"] = {"path": f"/api/{name}", "auth": "public"}
    environments: dict[str, Any] = {}
    for i, env in enumerate(draw(_unique(ENVIRONMENTS, 1, 3))):
        hosting = "compose" if i == 0 else draw(st.sampled_from(("kubernetes", "aws")))
        environments[env] = {"hosting": hosting, **HOSTING_SETTINGS.get(hosting, {})}
        overrides = draw(st.lists(st.sampled_from(service_names), max_size=2, unique=True))
        if overrides:
            environments[env]["services"] = {name: {"replicas": draw(st.integers(0, 3))} for name in overrides}
    spec: dict[str, Any] = {"rose": 1, "system": {"name": draw(st.sampled_from(("shop", "from", "orders", "x"))),
                                                  "domain": "example.com"},
                            "environments": environments}
    if roles:
        spec["identity"] = {"realm": draw(st.sampled_from(("shop", "orders", "from"))), "roles": roles}
    spec["messages"] = messages
    if events:
        spec["events"] = events
    if datastores:
        spec["datastores"] = datastores
    spec["services"] = services
    return spec


def field_type(earlier: list[str], later: list[str], enums: list[str]) -> st.SearchStrategy[str]:
    """A type expression; records declared later (or the record itself) only behind optional/list/map, so that no
    cycle of required records arises."""
    item = st.sampled_from(SCALARS + tuple(enums) + tuple(earlier)) if earlier or enums else st.sampled_from(SCALARS)
    loose = st.sampled_from(SCALARS + tuple(enums) + tuple(earlier) + tuple(later))
    return st.one_of(
        item,
        loose.map(lambda t: f"optional[{t}]"),
        loose.map(lambda t: f"list[{t}]"),
        st.tuples(st.sampled_from(("string", "int")), loose).map(lambda kv: f"map[{kv[0]}, {kv[1]}]"),
    )


def access(roles: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Public, or (with an identity provider) any authenticated caller or one with some of the roles."""
    if not roles:
        return st.just({"public": True})
    return st.one_of(st.just({"public": True}), st.just({}),
                     st.lists(st.sampled_from(roles), min_size=1, unique=True).map(lambda r: {"roles": r}))


@st.composite
def service(draw: st.DrawFn, records: list[str], enums: list[str], events: list[str], stores: list[str],
            earlier: dict[str, Any], roles: list[str]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    rest = [draw(endpoint(records, enums, roles)) for _ in range(draw(st.integers(0, 2)))]
    grpc = [{"name": name, "request": draw(st.sampled_from(records)), "response": draw(st.sampled_from(records)),
             "client_streaming": draw(st.booleans()), "server_streaming": draw(st.booleans()), **draw(access(roles))}
            for name in draw(_unique(PASCAL, 0, 2, PASCAL_REJECTED))]
    for key, value in (("rest", rest), ("grpc", grpc)):
        if value:
            body[key] = value
    for key, pool in (("publishes", events), ("consumes", events), ("uses", stores)):
        chosen = draw(st.lists(st.sampled_from(pool), max_size=2, unique=True)) if pool else []
        if chosen:
            body[key] = chosen
    callable_peers = [name for name, peer in earlier.items() if peer.get("rest") or peer.get("grpc")]
    calls = draw(st.lists(st.sampled_from(callable_peers), max_size=2, unique=True)) if callable_peers else []
    if calls:
        body["calls"] = calls
    config = draw(_unique(ENV_VARS, 0, 2, ENV_VARS_REJECTED))
    if config:
        body["config"] = {key: draw(st.sampled_from((True, 3, "text", 1.5))) for key in config}
    secrets = [s for s in draw(_unique(ENV_VARS, 0, 2, ENV_VARS_REJECTED)) if s not in config]
    if secrets:
        body["secrets"] = secrets
    return body


@st.composite
def endpoint(draw: st.DrawFn, records: list[str], enums: list[str], roles: list[str]) -> dict[str, Any]:
    method = draw(st.sampled_from(METHODS))
    params = draw(_unique(PATH_PARAMS, 0, 2))
    segments = draw(st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=3))
    parts = segments[:1] + [f"{{{p}}}" for p in params] + segments[1:]
    result: dict[str, Any] = {"method": method, "path": "/" + "/".join(parts), **draw(access(roles))}
    typed = {p: draw(st.sampled_from(PATH_SCALARS + tuple(enums))) for p in params if draw(st.booleans())}
    if typed:
        result["params"] = typed
    query = [q for q in draw(_unique(FIELDS, 0, 2)) if q not in params]
    if query:
        scalar = st.sampled_from(PATH_SCALARS + tuple(enums))
        result["query"] = {q: draw(st.one_of(scalar, scalar.map(lambda t: f"optional[{t}]"),
                                             scalar.map(lambda t: f"list[{t}]"))) for q in query}
    if method not in ("GET", "DELETE") and draw(st.booleans()):
        result["request"] = draw(st.sampled_from(records))
    if draw(st.booleans()):
        result["response"] = draw(st.sampled_from(records))
        if draw(st.booleans()):
            result["status"] = draw(st.sampled_from((200, 201, 202)))
    elif draw(st.booleans()):
        result["status"] = draw(st.sampled_from((200, 202, 204)))
    return result


def spec_text(spec: dict[str, Any]) -> str:
    return to_yaml(spec).decode("utf-8")
