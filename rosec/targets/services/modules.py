"""The Python modules of one service's contract: __init__, handlers, deps, main (api.py and rest_client.py are
rendered by rest_modules, models.py by models_code).

Code is rendered from jinja2 templates (rosec/resources/templates/services); every value from the spec reaches
a template either as a name the resolver checked (identifiers) or through the `py`/`doc` escaping filters.
"""

from __future__ import annotations

from dataclasses import dataclass

from rosec.model.datastores import Datastore
from rosec.model.naming import GeneratedClass, generated_class, python_identifier
from rosec.model.services import Service
from rosec.model.system import System
from rosec.targets.services import python_types
from rosec.targets.services.messaging_code import events_class
from rosec.targets.services.models_code import models_module as models_module  # re-exported: one module per file
from rosec.targets.services.signatures import MESSAGE_CONTEXT, REQUEST_CONTEXT, Handler, handlers, model_names
from rosec.targets.services.templating import Imports, py_str, render


# -- names shared by the modules of a service and by its peers -----------------------------------------------
def base_class(service: Service) -> str:
    return generated_class(service.class_prefix, GeneratedClass.HANDLERS)


def deps_class(service: Service) -> str:
    return generated_class(service.class_prefix, GeneratedClass.DEPS)


def config_class(service: Service) -> str:
    return generated_class(service.class_prefix, GeneratedClass.CONFIG)


def secrets_class(service: Service) -> str:
    return generated_class(service.class_prefix, GeneratedClass.SECRETS)


def rest_client_class(service: Service) -> str:
    return generated_class(service.class_prefix, GeneratedClass.REST_CLIENT)


def grpc_client_class(service: Service) -> str:
    return generated_class(service.class_prefix, GeneratedClass.GRPC_CLIENT)


def handlers_file(system: System, service: Service) -> str:
    """The user's handlers module, relative to the project root."""
    return f"{system.layout.handlers_dir}/{service.name}/handlers.py"


# -- __init__.py ---------------------------------------------------------------------------------------------
def init_module(system: System, service: Service) -> bytes:
    summary = f"The generated contract of the {service.name} service" + (
        f": {service.description}." if service.description else ".")
    return render("init.py.jinja", header=system.header(), service=service, summary=summary)


# -- handlers.py ---------------------------------------------------------------------------------------------
def handler_imports(service: Service, handler_list: list[Handler]) -> Imports:
    """What the annotations of these handlers need (the generated base and the scaffold share this)."""
    imports = Imports().add_lines(python_types.scalar_imports([t for h in handler_list for t in h.types]))
    if any(h.uses_async_iterator for h in handler_list):
        imports.add("collections.abc", "AsyncIterator")
    contexts = {p.annotation for h in handler_list for p in h.parameters} & {REQUEST_CONTEXT, MESSAGE_CONTEXT}
    if contexts:
        imports.add("rose_runtime.context", *contexts)
    models = model_names(handler_list)
    if models:
        imports.add(f"{service.python_name}.models", *models)
    return imports


def handlers_module(system: System, service: Service) -> bytes:
    handler_list = handlers(service)
    imports = handler_imports(service, handler_list).add("abc").add("rose_runtime.handlers", "LifecycleHooks")
    imports.add(f"{service.python_name}.deps", deps_class(service))
    doc = (f"The generated contract of the {service.name} service: one abstract method per REST endpoint, gRPC "
           "method and consumed event. `self.deps` holds what the handlers use.")
    return render("handlers.py.jinja", header=system.header(), service=service, base=base_class(service),
                  deps_class=deps_class(service), handlers=handler_list, imports=imports.render(service.python_name),
                  handlers_file=handlers_file(system, service), doc=doc)


# -- deps.py -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DepsField:
    name: str
    annotation: str
    build: str  # Python expression inside build_deps (names: runtime, settings, broker)
    comment: str
    client: bool = False  # a client of a peer service: closed by deps.close()


def deps_fields(system: System, service: Service) -> list[DepsField]:
    fields: list[DepsField] = []
    if service.publishes:
        fields.append(DepsField("events", events_class(service), f"{events_class(service)}(broker)",
                                "publishes " + ", ".join(service.publishes)))
    for peer in map(system.service, service.calls):
        if peer.endpoints:
            fields.append(DepsField(f"{peer.python_name}_rest", rest_client_class(peer),
                                    f"{rest_client_class(peer)}(settings.require({py_str(peer.url_env)}), runtime)",
                                    f"REST API of {peer.name} at ${peer.url_env}", client=True))
        if peer.grpc_methods:
            fields.append(DepsField(f"{peer.python_name}_grpc", grpc_client_class(peer),
                                    f"{grpc_client_class(peer)}(settings.require({py_str(peer.grpc_target_env)}), "
                                    "runtime)", f"gRPC API of {peer.name} at ${peer.grpc_target_env}", client=True))
    for store in map(system.datastore, service.uses):
        fields.append(_datastore_field(store))
    if service.config:
        fields.append(DepsField("config", config_class(service), f"{config_class(service)}.from_settings(settings)",
                                "rose.yaml config"))
    if service.secrets:
        fields.append(DepsField("secrets", secrets_class(service),
                                f"{secrets_class(service)}.from_settings(settings)", "rose.yaml secrets"))
    return fields


def _datastore_field(store: Datastore) -> DepsField:
    name = python_identifier(store.name)
    if store.engine == "postgres":
        arguments = (f"settings.require({py_str(store.url_env)})", f"settings.get({py_str(store.password_env)})",
                     "metrics=runtime.metrics", f"datastore={py_str(store.name)}")
        # One argument a line with a trailing comma: the layout ruff format keeps.
        build = "PostgresPool(\n" + "".join(f"            {a},\n" for a in arguments) + "        )"
        return DepsField(name, "PostgresPool", build,
                         f"postgres {store.name} at ${store.url_env} (password ${store.password_env})")
    return DepsField(name, "Path", f"Path(settings.require({py_str(store.url_env)}))",
                     f"volume {store.name} mounted at ${store.url_env}")


def deps_module(system: System, service: Service) -> bytes:
    fields = deps_fields(system, service)
    peers = list(map(system.service, service.calls))
    stores = list(map(system.datastore, service.uses))
    imports = Imports().add("dataclasses", "dataclass").add("collections.abc", "Awaitable", "Callable")
    imports.add("rose_runtime.runtime", "Runtime").add("rose_runtime.amqp", "Broker")
    if service.secrets:
        imports.add("dataclasses", "field")
    if service.config or service.secrets:
        imports.add("rose_runtime.settings", "Settings")
    if service.publishes:
        imports.add(f"{service.python_name}.messaging", events_class(service))
    for peer in peers:
        if peer.endpoints:
            imports.add(f"{peer.python_name}.rest_client", rest_client_class(peer))
        if peer.grpc_methods:
            imports.add(f"{peer.python_name}.grpc_client", grpc_client_class(peer))
    if any(s.engine == "postgres" for s in stores):
        imports.add("rose_runtime.db", "PostgresPool")
    if any(s.engine == "volume" for s in stores):
        imports.add("pathlib", "Path")
    pools = [f.name for f in fields if f.annotation == "PostgresPool"]
    closables = [f.name for f in fields if f.client] + pools
    checks = [(f"postgres:{s.name}", python_identifier(s.name)) for s in stores if s.engine == "postgres"]
    exports = [deps_class(service), "build_deps"]
    if service.config:
        exports.insert(0, config_class(service))
    if service.secrets:
        exports.insert(len(exports) - 2, secrets_class(service))
    return render("deps.py.jinja", header=system.header(), service=service, imports=imports.render(service.python_name),
                  exports=exports, deps_class=deps_class(service),
                  config_class=config_class(service), secrets_class=secrets_class(service),
                  config=[{"field": service.settings_attribute(k), "env": k, "default": v} for k, v in service.config],
                  secrets=[{"field": service.settings_attribute(s), "env": s} for s in service.secrets],
                  fields=fields, pools=pools, closables=closables, checks=checks,
                  uses_settings=any("settings" in f.build for f in fields), needs_broker=bool(service.publishes))


# -- main.py -------------------------------------------------------------------------------------------------
def main_module(system: System, service: Service) -> bytes:
    py = service.python_name
    imports = Imports().add("rose_runtime.handlers", "HandlerMismatch", "verify_handlers")
    imports.add("rose_runtime.runtime", "Runtime").add("rose_runtime.service", "run", "serve")
    imports.add("rose_runtime.settings", "SettingsError")
    imports.add("rose_runtime.amqp", "Broker")
    imports.add(f"{py}.deps", "build_deps").add(f"{py}.handlers", base_class(service))
    broker = service.needs_broker and system.messaging is not None
    if broker:
        imports.add(f"{py}.messaging", "TOPOLOGY")
    if service.consumers:
        imports.add(f"{py}.messaging", "start_consumers")
    if service.endpoints:
        imports.add(f"{py}.api", "create_app")
    else:
        imports.add("fastapi", "FastAPI").add("rose_runtime.http", "install")
    if service.grpc_methods:
        imports.add("rose_runtime.grpc_server", "create_server")
        imports.add(f"{py}.grpc_service", "METHOD_POLICIES", "SERVICE_NAMES", "grpc_servicers")
    serves = [part for part, present in (("its REST API", service.endpoints), ("its gRPC API", service.grpc_methods),
                                         ("its event consumers", service.consumers)) if present]
    return render("main.py.jinja", header=system.header(), service=service, base=base_class(service),
                  imports=imports.render(service.python_name), handlers_file=handlers_file(system, service),
                  broker=broker, consumers=bool(service.consumers), grpc=bool(service.grpc_methods),
                  rest=bool(service.endpoints),
                  serves=", ".join(serves) if serves else "health and metrics endpoints")
