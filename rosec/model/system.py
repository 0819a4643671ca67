"""The resolved System model: the core aggregate that targets read.

Every derived name is computed once, in the model module of its domain (services, messaging, datastores,
messages, environments, identity, observability, ...); this module only ties them together. Collections are
tuples in a deterministic order (declaration order of the spec unless stated otherwise).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

from rosec.model.alerting import Alerting
from rosec.model.datastores import Datastore
from rosec.model.environments import Environment
from rosec.model.identity import Identity
from rosec.model.messages import EnumType, Message
from rosec.model.messaging import Event, Messaging
from rosec.model.observability import Observability
from rosec.model.services import Service, callers_by_service

T = TypeVar("T")


@dataclass(frozen=True)
class Layout:
    """Where generated files live under generated/<system>/; one layout for every target."""

    compose_file: str = "compose.yaml"
    env_example: str = ".env.example"
    kong_dir: str = "config/kong"  # <kong_dir>/<environment>/kong.yaml
    keycloak_dir: str = "config/keycloak"  # <keycloak_dir>/<environment>/<realm>-realm.json
    prometheus_dir: str = "config/prometheus"
    alertmanager_dir: str = "config/alertmanager"
    grafana_provisioning_dir: str = "config/grafana/provisioning"
    grafana_dashboards_dir: str = "config/grafana/dashboards"
    logstash_pipeline_dir: str = "config/logstash/pipeline"
    terraform_dir: str = "terraform"  # modules/ and one root per aws environment
    elastic_setup_dir: str = "config/elastic-setup"  # script and JSON bodies of the one-shot Elastic setup
    messaging_definitions: str = "messaging/definitions.json"
    asyncapi: str = "messaging/asyncapi.yaml"
    helm_dir: str = "helm"  # Helm charts of the kubernetes environments and their helmfile
    services_dir: str = "services"
    handlers_dir: str = "services"  # user code, relative to the project root: <handlers_dir>/<service>/
    project_root_from_output: str = "../.."  # generated/<system> sits two levels below the project root
    local_data_dir: str = ".rosec/data"  # volumes of services run as local processes, under the project root

    def kong_config(self, environment: str) -> str:
        """The gateway's declarative configuration of an environment."""
        return f"{self.kong_dir}/{environment}/kong.yaml"

    def keycloak_import_dir(self, environment: str) -> str:
        """The directory Keycloak imports an environment's realm from (every .json file in it)."""
        return f"{self.keycloak_dir}/{environment}"

    def keycloak_realm(self, environment: str, realm: str) -> str:
        return f"{self.keycloak_import_dir(environment)}/{realm}-realm.json"

    def local_volume(self, system: str, datastore: str) -> str:
        """The directory (relative to the project root) that stands in for a volume when services run locally."""
        return f"{self.local_data_dir}/{system}/{datastore}"

    @property
    def helm_charts_dir(self) -> str:
        return f"{self.helm_dir}/charts"

    @property
    def helmfile(self) -> str:
        return f"{self.helm_dir}/helmfile.yaml.gotmpl"

    def dockerfile(self, python_name: str) -> str:
        """The Dockerfile of a service: it lives in the service's Python package, named by Service.python_name."""
        return f"{self.services_dir}/{python_name}/Dockerfile"

    def from_project_root(self, system: str, path: str) -> str:
        """A path under generated/<system>/ as seen from the project root (Docker build context, commands)."""
        return f"generated/{system}/{path}"


@dataclass(frozen=True)
class System:
    name: str
    domain: str
    description: str
    owner: str
    spec_file: str  # file name of the spec, for headers
    environments: tuple[Environment, ...]
    identity: Identity | None
    observability: Observability
    messages: tuple[Message, ...]
    enums: tuple[EnumType, ...]
    events: tuple[Event, ...]
    datastores: tuple[Datastore, ...]
    services: tuple[Service, ...]
    messaging: Messaging | None
    layout: Layout = Layout()
    alerting: Alerting = field(default_factory=Alerting)

    def service(self, name: str) -> Service:
        return self.services_by_name[name]

    def datastore(self, name: str) -> Datastore:
        return self.datastores_by_name[name]

    def event(self, name: str) -> Event:
        return self.events_by_name[name]

    # Indexes by name, built on first use (targets look names up per service: a scan would be quadratic).
    @cached_property
    def services_by_name(self) -> dict[str, Service]:
        return {s.name: s for s in self.services}

    @cached_property
    def datastores_by_name(self) -> dict[str, Datastore]:
        return {d.name: d for d in self.datastores}

    @cached_property
    def events_by_name(self) -> dict[str, Event]:
        return {e.name: e for e in self.events}

    @cached_property
    def messages_by_name(self) -> dict[str, Message]:
        return {m.name: m for m in self.messages}

    @cached_property
    def enums_by_name(self) -> dict[str, EnumType]:
        return {e.name: e for e in self.enums}

    @cached_property
    def postgres_by_password_env(self) -> dict[str, Datastore]:
        """Each PostgreSQL datastore by the variable of its password."""
        return {d.password_env: d for d in self.datastores if d.is_postgres}

    @cached_property
    def postgres_by_url_env(self) -> dict[str, Datastore]:
        """Each PostgreSQL datastore by the variable of its URL."""
        return {d.url_env: d for d in self.datastores if d.is_postgres}

    @cached_property
    def callers_by_name(self) -> dict[str, tuple[Service, ...]]:
        """The services that call each service, in declaration order (see callers)."""
        return callers_by_service(self.services)

    def callers(self, name: str) -> tuple[Service, ...]:
        """The services that call the service `name` (each once, in declaration order)."""
        return self.callers_by_name.get(name, ())

    @cached_property
    def package_names(self) -> frozenset[str]:
        """Service.python_name of every service: the top-level packages of the generated code."""
        return frozenset(s.python_name for s in self.services)

    def once(self, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        """compute() the first time `key` is asked for, the same result after: for output that several targets
        deploy (the Prometheus rule files, each environment's gateway config and realm), rendered once per build."""
        memo = self.__dict__.setdefault("_once", {})
        if key not in memo:
            memo[key] = compute()
        return memo[key]  # type: ignore[no-any-return]

    def environment(self, name: str) -> Environment:
        return next(e for e in self.environments if e.name == name)

    @property
    def compose_environment(self) -> Environment | None:
        return next((e for e in self.environments if e.hosting == "compose"), None)

    @property
    def has_gateway(self) -> bool:
        return any(s.gateway for s in self.services)

    def header(self, comment: str = "#") -> str:
        # Short enough for a 120-column line with the longest system name (generated Python passes ruff's E501).
        return (f"{comment} Generated by rosec from {self.spec_file} (system {self.name}). "
                "Do not edit: run `rosec build`.\n")
