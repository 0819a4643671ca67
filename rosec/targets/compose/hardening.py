"""How each infrastructure container runs locked down: user, read-only root filesystem, the tmpfs mounts it
must write, and its resource limits. Every container drops all capabilities and gets no-new-privileges.

Read-only where the image allows it (Docker's tmpfs mounts are mode 1777, so a non-root user may write them).
Three images cannot run with a read-only root filesystem:
- Keycloak `start-dev` re-augments the server into /opt/keycloak/lib/quarkus at every start;
- Elasticsearch creates its keystore and writes files into /usr/share/elasticsearch/config at startup;
- Logstash's entrypoint rewrites config/logstash.yml from the environment (env2yaml) at every start.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rosec.model import infrastructure as infra


@dataclass(frozen=True)
class Hardening:
    memory: str  # limit, Docker syntax (512M)
    cpus: str
    read_only: bool = True
    tmpfs: tuple[str, ...] = ("/tmp",)
    user: str | None = None  # run as this image user instead of root + privilege drop in the entrypoint


# The official postgres and rabbitmq entrypoints start as root to chown the data directory, then drop to their
# user; started as that user (the named volume inherits the image's ownership), they need no capability at all.
POSTGRES = Hardening("512M", "1", tmpfs=("/tmp", "/var/run/postgresql"), user="postgres")
RABBITMQ = Hardening("512M", "1", tmpfs=("/tmp", "/var/log/rabbitmq"), user="rabbitmq")
KONG = Hardening("512M", "1", tmpfs=("/tmp", infra.KONG_PREFIX_PATH))
KEYCLOAK = Hardening("1G", "1", read_only=False, tmpfs=())
PROMETHEUS = Hardening("512M", "1", tmpfs=())
ALERTMANAGER = Hardening("128M", "0.5", tmpfs=())
POSTGRES_EXPORTER = Hardening("64M", "0.25", tmpfs=())  # the image runs as nobody
GRAFANA = Hardening("256M", "1", tmpfs=("/tmp", "/var/log/grafana"))
ELASTICSEARCH = Hardening("1536M", "2", read_only=False, tmpfs=())
LOGSTASH = Hardening("1G", "1", read_only=False, tmpfs=())
KIBANA = Hardening("1G", "1", tmpfs=("/tmp", "/usr/share/kibana/data"))  # data holds only the instance uuid
ELASTIC_SETUP = Hardening("128M", "0.5")  # bash and curl; writes only /tmp


def locked_down(hardening: Hardening) -> dict[str, Any]:
    """The compose fields of a hardened container, in the order compose.yaml lists them."""
    fields: dict[str, Any] = {}
    if hardening.user:
        fields["user"] = hardening.user
    fields["read_only"] = hardening.read_only
    if hardening.tmpfs:
        fields["tmpfs"] = list(hardening.tmpfs)
    fields["cap_drop"] = ["ALL"]
    fields["security_opt"] = ["no-new-privileges:true"]
    fields["deploy"] = {"resources": {"limits": {"cpus": hardening.cpus, "memory": hardening.memory}}}
    return fields
