"""What a set of NetworkPolicies allows (Kubernetes semantics, for the selectors the charts use): a connection
passes when the destination's policies admit it and the source's policies let it out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Pod:
    labels: dict[str, str]
    namespace: str


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    assert set(selector) <= {"matchLabels"}, f"selector not understood: {selector}"
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())


def _peer(peer: dict[str, Any], pod: Pod, policy_namespace: str) -> bool:
    assert set(peer) <= {"podSelector", "namespaceSelector"}, f"peer not understood: {peer}"
    if "namespaceSelector" in peer:
        if not _selects(peer["namespaceSelector"], {"kubernetes.io/metadata.name": pod.namespace}):
            return False
    elif pod.namespace != policy_namespace:
        return False
    return _selects(peer.get("podSelector", {}), pod.labels)


def _rule(rule: dict[str, Any], side: str, pod: Pod, port: int, namespace: str) -> bool:
    peers = rule.get(side)
    ports = rule.get("ports")
    return (peers is None or any(_peer(p, pod, namespace) for p in peers)) and (
        ports is None or any(p.get("port") == port and p.get("protocol", "TCP") == "TCP" for p in ports))


def _direction(policies: list[dict[str, Any]], subject: Pod, other: Pod, port: int, kind: str) -> bool:
    side, key = ("from", "ingress") if kind == "Ingress" else ("to", "egress")
    relevant = [p for p in policies if p["metadata"]["namespace"] == subject.namespace
                and kind in p["spec"].get("policyTypes", ["Ingress"])
                and _selects(p["spec"]["podSelector"], subject.labels)]
    if not relevant:
        return True  # no policy isolates the pod in this direction
    return any(_rule(rule, side, other, port, p["metadata"]["namespace"])
               for p in relevant for rule in p["spec"].get(key, []))


def allowed(policies: list[dict[str, Any]], source: Pod, destination: Pod, port: int) -> bool:
    return (_direction(policies, destination, source, port, "Ingress")
            and _direction(policies, source, destination, port, "Egress"))
