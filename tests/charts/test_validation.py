"""Every chart of every kubernetes environment, checked by the real tools: Helm 4's lint (strict), Chart.yaml's
schema, kubernetes-validate (strict, Kubernetes 1.33) for built-in kinds, the operators' CRD schemas (strict) for
custom resources, values.schema.json, and checkov."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import shared_schema
from quality.tools import run

from charts.support import KUBERNETES_VERSION, NAMESPACE, Rendered, crd_validator, helm_python, is_custom

CHECKOV = Path(__file__).resolve().parents[2] / ".tools" / "checkov" / "bin" / "checkov"


def test_every_chart_lints_without_warnings(rendered: Rendered) -> None:
    assert len(rendered.lint) == len(rendered.system.services) + 1
    problems = {chart: [m for m in report["messages"] if m["severity"] >= 2]
                for chart, report in rendered.lint.items()}
    assert not any(problems.values()), problems


def test_chart_yaml_follows_its_schema(rendered: Rendered) -> None:
    validator = jsonschema.Draft7Validator(shared_schema("chart.schema.json"))
    charts = sorted(rendered.root.glob("charts/*/Chart.yaml"))
    assert len(charts) == len(rendered.system.services) + 2
    for chart in charts:
        errors = [e.message for e in validator.iter_errors(yaml.safe_load(chart.read_text()))]
        assert not errors, (chart, errors)


def test_built_in_resources_pass_kubernetes_validate_strict(rendered: Rendered) -> None:
    import kubernetes_validate

    built_in = [o for o in rendered.objects() if not is_custom(o)]
    assert {"Deployment", "Service", "NetworkPolicy", "ConfigMap", "ServiceAccount"} <= {o["kind"] for o in built_in}
    for resource in built_in:
        try:
            kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{resource['kind']} {resource['metadata']['name']}: {error.message}")


def test_custom_resources_pass_their_operators_strict_schemas(rendered: Rendered) -> None:
    custom = [o for o in rendered.objects() if is_custom(o)]
    assert {"Cluster", "Database", "Keycloak", "KeycloakRealmImport"} <= {o["kind"] for o in custom}
    for resource in custom:
        errors = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in crd_validator(resource["apiVersion"], resource["kind"]).iter_errors(resource)]
        assert not errors, (resource["kind"], resource["metadata"]["name"], errors)


@pytest.mark.parametrize(("key", "value"), [
    (("image", "tag"), "latest"),
    (("replicas",), "two"),
    (("autoscaling", "targetCPUUtilizationPercentage"), 120),
    (("resources", "memory"), "512MB"),
    (("imagePullSecret",), "x"),
])
def test_values_schema_rejects_a_wrong_value(rendered_charts, key: tuple[str, ...], value: object) -> None:
    _assert_rejected(rendered_charts("synthetic", "cluster"), "tracker", key, value, match=key[-1])


@pytest.mark.parametrize(("key", "value"), [
    (("gateway", "replicas"), 0),
    (("gateway", "env"), {"kong_database": "off"}),
    (("gateway", "secretEnv"), [{"name": "OIDC_SIGNING_PUBLIC_KEY", "secret": "fleet-signing-key"}]),
    (("identity", "realm", "placeholders"), {"OIDC_SIGNING_PRIVATE_KEY": {"secret": "Not A Name", "key": "k"}}),
    (("exposure", "loadBalancer"), "yes"),
])
def test_platform_values_schema_rejects_a_wrong_edge_value(rendered_charts, key: tuple[str, ...],
                                                           value: object) -> None:
    rendered = rendered_charts("synthetic", "cluster")
    _assert_rejected(rendered, f"{rendered.system.name}-platform", key, value)


def _assert_rejected(rendered: Rendered, chart: str, key: tuple[str, ...], value: object,
                     match: str | None = None) -> None:
    """The environment's values of `chart` pass its values.schema.json, and fail with `value` at `key`."""
    h = helm_python()
    values = rendered.chart_values(chart)
    with h.Chart.load(rendered.root / "charts" / chart) as loaded:
        loaded.validate_schema(values)
        target = values
        for part in key[:-1]:
            target = target[part]
        target[key[-1]] = value
        with pytest.raises(h.HelmValuesError, match=match):
            loaded.validate_schema(values)


def test_checkov_finds_nothing_but_the_skips_the_charts_explain(rendered: Rendered, tmp_path: Path) -> None:
    if not CHECKOV.exists():
        pytest.fail(f"checkov is not installed at {CHECKOV}: run `bash scripts/setup.sh`")
    for chart, objects in rendered.manifests.items():
        (tmp_path / f"{chart}.yaml").write_text(yaml.safe_dump_all(objects))
    result = run([str(CHECKOV), "-d", str(tmp_path), "--framework", "kubernetes", "--skip-download", "-o", "json",
                  "--quiet"], timeout=300)
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    report = report[0] if isinstance(report, list) else report
    failed = [(c["check_id"], c["resource"]) for c in report["results"].get("failed_checks", [])]
    assert not failed, failed
    assert report["summary"]["passed"] > 100
    for skipped in report["results"].get("skipped_checks", []):
        assert len(skipped.get("suppress_comment") or "") > 20, skipped["check_id"]


def test_every_resource_lives_in_the_release_namespace(rendered: Rendered) -> None:
    for resource in rendered.objects():
        assert resource["metadata"]["namespace"] == NAMESPACE, resource["metadata"]["name"]
        assert "app.kubernetes.io/part-of" in resource["metadata"]["labels"]


def test_nothing_secret_is_rendered(rendered: Rendered) -> None:
    assert not list(rendered.objects("Secret"))
    for resource in rendered.objects():
        for container in resource.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []):
            for variable in container.get("env", []):
                assert "value" in variable or "secretKeyRef" in variable["valueFrom"], variable
                if "PASSWORD" in variable["name"] or "SECRET" in variable["name"] or "DSN" in variable["name"]:
                    assert "valueFrom" in variable, variable
