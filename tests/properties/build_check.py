"""validate accepts => build succeeds => every .proto compiles => every generated module imports => every service's
app objects are constructed: the chain the property test and the valid-spec corpus run for one spec."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rosec.diagnostics import Diagnostic, SpecError
from rosec.model.deployments import local_service_env
from rosec.model.system import System
from rosec.pipeline import load_system, render
from rosec.project import default_output
from rosec.targets.services.grpc.compiler import compile_protos
from rosec.targets.services.scaffold import handlers_path, scaffold

PROBE = Path(__file__).with_name("import_probe.py")
# The value of every secret: any text does for a password or a key, and it must also be valid for the variables the
# runtime reads whose values it checks (LOG_LEVEL, which a spec may list among its secrets).
PROBE_SECRET = "INFO"


class ImportProbe:
    """The fork server of import_probe.py, started once and asked once per build."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, str(PROBE)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True, env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"})
        self._read()  # {"ready": true} once the libraries are loaded

    def check(self, services_dir: Path, services: list[dict[str, Any]]) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"services_dir": str(services_dir), "services": services}) + "\n")
        self.process.stdin.flush()
        return self._read()

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise AssertionError(f"the import probe exited with {self.process.wait()}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


@dataclass(frozen=True)
class Outcome:
    system: System | None  # None: validate rejected the spec
    diagnostics: tuple[Diagnostic, ...] = ()
    modules: int = 0  # generated modules the probe imported


def build_and_probe(spec_text: str, project: Path, probe: ImportProbe) -> Outcome:
    """Write the spec into `project` (emptied first), then run the chain; AssertionError names the failing step."""
    if project.exists():
        shutil.rmtree(project)
    project.mkdir(parents=True)
    spec = project / "rose.yaml"
    spec.write_text(spec_text, "utf-8")
    try:
        system = load_system(spec)
    except SpecError as error:
        return Outcome(None, tuple(error.diagnostics))
    out = default_output(system, project)
    for relative, output in render(system).files.items():  # any exception here is a bug: validate accepted
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(output.content)
    scaffold(system, project)
    check_protos_compile(out / system.layout.services_dir)
    answer = probe.check(out / system.layout.services_dir, [_service_request(system, project, s.name)
                                                            for s in system.services])
    assert answer["ok"], f"generated code does not import or construct:\n{answer['error']}"
    return Outcome(system, modules=answer["modules"])


def check_protos_compile(services_dir: Path) -> None:
    """Every written .proto compiles with grpcio-tools' protoc, as the services target compiles it, into exactly
    the Python modules that were written beside it."""
    protos = {p.relative_to(services_dir).as_posix(): p.read_bytes() for p in sorted(services_dir.rglob("*.proto"))}
    for path, content in compile_protos(protos).items():
        written = (services_dir / path).read_bytes()
        assert written.endswith(content), f"{path} differs from protoc's output for the written .proto"


def _service_request(system: System, project: Path, name: str) -> dict[str, Any]:
    service = system.service(name)
    env = {v.name: v.value if v.value is not None else PROBE_SECRET for v in local_service_env(system, name)
           if v.value is not None or not v.optional}
    return {"py": service.python_name, "prefix": service.class_prefix, "env": env,
            "handlers": str(project / handlers_path(system, service))}
