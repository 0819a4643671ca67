"""Chart.yaml of every chart, and the static template files (Go templates, kept verbatim as package data under
rosec/resources/helm/: jinja2 never sees them)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from rosec.model.system import System

LIBRARY = "rose-lib"
CHART_VERSION = "0.1.0"  # charts are installed from the generated directory; the image tag carries the build
KUBE_VERSION = ">=1.33.0-0"
RESOURCES = files("rosec.resources").joinpath("helm")


def chart_yaml(system: System, name: str, description: str, library: bool = False,
               uses_library: bool = True) -> dict[str, Any]:
    chart: dict[str, Any] = {
        "apiVersion": "v2",
        "name": name,
        "description": description,
        "type": "library" if library else "application",
        "version": CHART_VERSION,
        "kubeVersion": KUBE_VERSION,
        "keywords": ["rosec", system.name],
    }
    if system.owner:
        chart["maintainers"] = [{"name": system.owner}]
    if uses_library and not library:
        chart["dependencies"] = [{"name": LIBRARY, "version": CHART_VERSION, "repository": f"file://../{LIBRARY}"}]
    chart["annotations"] = {"rosec.dev/system": system.name, "rosec.dev/spec": system.spec_file}
    return chart


@cache  # package data: every service chart has the same files (read once, not 9,000 times at 1000 services)
def static_files(kind: str) -> tuple[tuple[str, bytes], ...]:
    """(path inside the chart, content) of the static files of a chart kind (lib, service, platform)."""
    found: list[tuple[str, bytes]] = []

    def walk(node: Traversable, prefix: str) -> None:
        for entry in sorted(node.iterdir(), key=lambda e: e.name):
            if entry.is_dir():
                walk(entry, f"{prefix}{entry.name}/")
            elif not entry.name.startswith("."):
                found.append((f"{prefix}{entry.name}", entry.read_bytes()))

    walk(RESOURCES.joinpath(kind), "")
    return tuple(found)


HELMIGNORE = "\n".join(["# Patterns Helm leaves out of a packaged chart.", ".DS_Store", ".git/", "*.swp", "*.bak",
                        "*.tmp", "*.orig", "*~", ".idea/", ".vscode/", ""])


def template_header(system: System) -> bytes:
    """The header as a Go template comment: it renders to nothing."""
    return f"{{{{/*{system.header(comment='').rstrip()} */}}}}\n".encode()


def with_templates(system: System, kind: str, chart: dict[str, bytes]) -> dict[str, bytes]:
    header = template_header(system)
    chart |= {path: header + content for path, content in static_files(kind)}
    chart[".helmignore"] = (system.header() + HELMIGNORE).encode()
    return chart
