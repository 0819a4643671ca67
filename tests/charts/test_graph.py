"""What the charts derive from the spec's graph and from the other targets: NetworkPolicies allow exactly the
declared calls, the RabbitMQ topology is messaging/definitions.json's, the rules, dashboards and pipeline are the
other targets' own; a spec change shows up in them; the pods run under the restricted Pod Security Standard."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from charts.netpol import Pod, allowed
from charts.support import NAMESPACE, Rendered, render_environment
from charts.synthetic import SPEC, synthetic_system
from rosec.model import kubernetes as k8s
from rosec.targets.grafana import dashboards
from rosec.targets.messaging import definitions
from rosec.targets.prometheus import prometheus_rules


def _pod(rendered: Rendered, service: str) -> Pod:
    deployment = rendered.named("Deployment", service)
    return Pod(deployment["spec"]["template"]["metadata"]["labels"], NAMESPACE)


def test_network_policies_allow_exactly_the_declared_calls(rendered: Rendered) -> None:
    policies = list(rendered.objects("NetworkPolicy"))
    services = rendered.system.services
    checked = 0
    for source in services:
        for target in services:
            if source is target:
                continue
            for port in k8s.ports(target):
                expected = target.name in source.calls
                assert allowed(policies, _pod(rendered, source.name), _pod(rendered, target.name), port) == expected, \
                    f"{source.name} -> {target.name}:{port} should be {'allowed' if expected else 'denied'}"
                checked += 1
    assert checked >= len(services) * (len(services) - 1)


def test_prometheus_reaches_the_metrics_and_nothing_else_gets_in(rendered: Rendered) -> None:
    policies = list(rendered.objects("NetworkPolicy"))
    settings = k8s.settings(_environment(rendered))
    prometheus = Pod({"app.kubernetes.io/name": "prometheus"}, settings.prometheus_namespace)
    stranger = Pod({"app.kubernetes.io/name": "debug"}, NAMESPACE)
    for service in rendered.system.services:
        pod = _pod(rendered, service.name)
        assert allowed(policies, prometheus, pod, service.port) == k8s.settings(_environment(rendered)).monitoring
        assert not allowed(policies, stranger, pod, service.port)


def _environment(rendered: Rendered) -> Any:
    return rendered.system.environment(rendered.environment)


def test_rabbitmq_topology_is_the_definitions_one(rendered: Rendered) -> None:
    if rendered.system.messaging is None:
        pytest.skip("no events")
    expected = definitions(rendered.system)
    vhost = rendered.system.messaging.vhost
    assert [v["spec"]["name"] for v in rendered.objects("Vhost")] == [vhost]
    exchanges = [{"name": e["spec"]["name"], "vhost": e["spec"]["vhost"], "type": e["spec"]["type"],
                  "durable": e["spec"]["durable"], "auto_delete": e["spec"]["autoDelete"], "internal": False,
                  "arguments": {}} for e in rendered.objects("Exchange")]
    queues = [{"name": q["spec"]["name"], "vhost": q["spec"]["vhost"], "durable": q["spec"]["durable"],
               "auto_delete": q["spec"]["autoDelete"], "arguments": q["spec"].get("arguments", {})}
              for q in rendered.objects("Queue")]
    bindings = [{"source": b["spec"]["source"], "vhost": b["spec"]["vhost"], "destination": b["spec"]["destination"],
                 "destination_type": b["spec"]["destinationType"], "routing_key": b["spec"]["routingKey"],
                 "arguments": {}} for b in rendered.objects("Binding")]
    assert (exchanges, queues, bindings) == (expected["exchanges"], expected["queues"], expected["bindings"])


def test_monitoring_carries_the_prometheus_and_grafana_targets_output(rendered: Rendered) -> None:
    system = rendered.system
    rules = sorted((r["spec"] for r in rendered.objects("PrometheusRule")), key=_canonical)
    assert rules == sorted(prometheus_rules(system).values(), key=_canonical)
    boards = [json.loads(next(iter(c["data"].values()))) for c in rendered.objects("ConfigMap")
              if c["metadata"]["labels"].get("grafana_dashboard") == "1"]
    boards += [json.loads(d["spec"]["json"]) for d in rendered.objects("GrafanaDashboard")]
    assert sorted(boards, key=_canonical) == sorted(dashboards(system).values(), key=_canonical)
    labels = [{r["targetLabel"]: r["replacement"] for r in m["spec"]["endpoints"][0]["relabelings"]}
              for m in rendered.objects("ServiceMonitor")]
    assert sorted(x["service"] for x in labels if x["job"] == "services") == sorted(s.name for s in system.services)
    assert all(x["environment"] == rendered.environment and x["system"] == system.name for x in labels)


def _canonical(document: Any) -> str:
    return json.dumps(document, sort_keys=True)


def test_service_pods_follow_the_restricted_standard(rendered: Rendered) -> None:
    for service in rendered.system.services:
        deployment = rendered.named("Deployment", service.name)
        pod = deployment["spec"]["template"]["spec"]
        container = pod["containers"][0]
        security = container["securityContext"]
        assert pod["automountServiceAccountToken"] is False
        assert pod["securityContext"]["runAsNonRoot"] and pod["securityContext"]["runAsUser"] == k8s.APP_UID
        assert security["readOnlyRootFilesystem"] and security["capabilities"]["drop"] == ["ALL"]
        assert security["seccompProfile"]["type"] == "RuntimeDefault" and not security["allowPrivilegeEscalation"]
        mounts = {m["mountPath"] for m in container["volumeMounts"]}
        assert mounts == {"/tmp"} | {rendered.system.datastore(d).mount_path for d in service.uses
                                     if not rendered.system.datastore(d).is_postgres}
        assert "checksum/config" in deployment["spec"]["template"]["metadata"]["annotations"]
        grpc_only = bool(service.grpc_port) and not service.endpoints
        assert ("grpc" in container["livenessProbe"]) == grpc_only
        assert container["readinessProbe"]["httpGet"]["path"] == service.health.readiness_path
        scaled = _environment(rendered).deployments[service.name].autoscaling is not None
        assert ("replicas" in deployment["spec"]) == (not scaled)
        assert rendered.named("PodDisruptionBudget", service.name)["spec"] == {
            "maxUnavailable": 1, "selector": deployment["spec"]["selector"]}


def _graph(rendered: Rendered) -> tuple[set[Any], set[Any], set[str]]:
    policies = {(p["metadata"]["name"], _canonical(p["spec"])) for p in rendered.objects("NetworkPolicy")}
    bindings = {(b["spec"]["source"], b["spec"]["destination"]) for b in rendered.objects("Binding")}
    monitors = {m["metadata"]["name"] for m in rendered.objects("ServiceMonitor")}
    return policies, bindings, monitors


def test_a_new_service_event_and_call_show_up_in_the_graph(rendered_charts, tmp_path: Path) -> None:
    before = rendered_charts("synthetic", "cluster")
    changed = SPEC.replace("  vehicle.moved: { message: Position }",
                           "  vehicle.moved: { message: Position }\n  route.planned: { message: Route }")
    changed = changed.replace("    calls: [archive]\n", "    calls: [archive]\n    publishes: [route.planned]\n")
    changed += ("  notifier:\n    consumes: [route.planned, vehicle.moved]\n    calls: [planner]\n"
                "    rest:\n      - { method: GET, path: /ping, response: Position, public: true }\n"
                "    gateway: { path: /api/notifier, auth: public }\n")
    (tmp_path / "spec").mkdir()
    after = render_environment(synthetic_system(tmp_path / "spec", changed), "cluster", tmp_path / "out")
    policies_before, bindings_before, monitors_before = _graph(before)
    policies_after, bindings_after, monitors_after = _graph(after)
    assert monitors_after - monitors_before == {"notifier"}
    assert {d for _, d in bindings_after - bindings_before} == {
        f"fleet.notifier.{e}{suffix}" for e in ("route.planned", "vehicle.moved") for suffix in ("", ".retry", ".dead")}
    changed_policies = {name for name, _ in policies_after - policies_before}
    assert {"notifier", "planner"} <= changed_policies  # its own, and the callee's that now admits it
    policies = list(after.objects("NetworkPolicy"))
    assert allowed(policies, _pod(after, "notifier"), _pod(after, "planner"), after.system.service("planner").grpc_port)
    assert not allowed(policies, _pod(after, "notifier"), _pod(after, "archive"), after.system.service("archive").port)


def test_helmfile_installs_the_platform_first(rendered: Rendered) -> None:
    text = (rendered.root / "helmfile.yaml.gotmpl").read_text()
    environments, releases = list(yaml.safe_load_all(text.replace("{{ .Environment.Name }}", rendered.environment)))
    assert rendered.environment in environments["environments"]
    names = [r["name"] for r in releases["releases"]]
    platform = k8s.platform_chart(rendered.system)
    assert names == [platform, *(s.name for s in rendered.system.services)]
    for release in releases["releases"]:
        assert (rendered.root / release["chart"]).is_dir()
        assert all((rendered.root / v).is_file() for v in release["values"])
        needs = [f"{{{{ .Environment.Values.namespace }}}}/{platform}"]
        assert release["name"] == platform or release["needs"] == needs
