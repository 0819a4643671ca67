"""Dockerfiles pass hadolint; compose.yaml passes the real Docker Compose parser (`docker-compose config`, with
the .env.example filled in) and compose-lint, and mounts only files that exist in the generated tree."""

from __future__ import annotations

import json
from pathlib import Path

from ruamel.yaml import YAML

from quality.tools import PIP_HINT, executable, report, run
from quality.trees import Tree
from rosec.targets import BUILTIN_TARGETS

# compose-lint CL-0019 asks for image digests (name:tag@sha256:...). Digests come from the registries, which
# rosec cannot reach when it builds (nor these tests); images are pinned to exact version tags (test_compose.py).
UNFIXABLE_OFFLINE = {"CL-0019"}
MEDIUM_OR_HIGHER = {"medium", "high", "critical"}


def compose_file(tree: Tree) -> Path:
    return tree.out / tree.system.layout.compose_file


def filled_env_file(tree: Tree, directory: Path) -> Path:
    """.env.example with a dummy value for every variable."""
    lines = tree.out.joinpath(tree.system.layout.env_example).read_text("utf-8").splitlines()
    env = directory / f"{tree.name}.env"
    env.write_text("\n".join(f"{line}dummy-value" if line.endswith("=") else line for line in lines) + "\n")
    return env


def test_hadolint_reports_nothing(tree: Tree) -> None:
    dockerfiles = tree.paths("Dockerfile")
    assert len(dockerfiles) == len(tree.system.services)
    result = run([executable("hadolint", PIP_HINT), "--no-color", *map(str, dockerfiles)])
    assert result.returncode == 0 and not result.stdout.strip(), report(result)


def test_docker_compose_accepts_compose_yaml(tree: Tree, tmp_path: Path) -> None:
    env = filled_env_file(tree, tmp_path)
    result = run([executable("docker-compose", PIP_HINT), "--env-file", str(env), "-f", str(compose_file(tree)),
                  "config", "-q"])
    assert result.returncode == 0 and not result.stderr.strip(), report(result)


def test_compose_lint_finds_nothing_of_medium_or_higher_severity(tree: Tree) -> None:
    result = run([executable("compose-lint", PIP_HINT), "check", "--format", "json", "--fail-on", "critical",
                  "--no-env", str(compose_file(tree))])
    assert result.returncode in (0, 1), report(result)
    findings = json.loads(result.stdout)["findings"]
    serious = [f"{f['service']}: {f['rule_id']} {f['message']}" for f in findings
               if f["severity"] in MEDIUM_OR_HIGHER and f["rule_id"] not in UNFIXABLE_OFFLINE]
    assert not serious, "\n".join(serious)


def bind_sources(compose: dict) -> list[tuple[str, str]]:
    """(compose service, source) of every bind mount, short and long syntax."""
    found = []
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.get("source", "") if isinstance(volume, dict) else volume.split(":")[0]
            if isinstance(volume, dict) and volume.get("type") != "bind":
                continue
            if source.startswith((".", "/")):
                found.append((name, source))
    return found


def test_every_bind_mount_source_exists_in_the_generated_tree(tree: Tree) -> None:
    compose = YAML(typ="safe").load(compose_file(tree).read_text("utf-8"))
    for service, source in bind_sources(compose):
        path = (compose_file(tree).parent / source).resolve()
        assert path.is_relative_to(tree.out.resolve()), f"{service} mounts {source} from outside the output"
        assert path.exists(), f"{service} mounts {source}, which no target writes: Docker would create a directory"


def test_targets_declare_what_they_write(tree: Tree) -> None:
    """The outputs each built-in target declares (what compose may mount) covers every file each target writes."""
    for path, output in tree.files.files.items():
        declared = BUILTIN_TARGETS[output.target].outputs(tree.system.layout)
        assert any(path == out or (out.endswith("/") and path.startswith(out)) for out in declared), \
            f"{path} (target {output.target}) is not among its declared outputs {declared}"
