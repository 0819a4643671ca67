"""Semantic checks of the kubernetes settings of the environments (`environments.<env>.kubernetes`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rosec.spec.models import EnvironmentSpec

if TYPE_CHECKING:
    from rosec.model.check_context import CheckContext

_EXAMPLE = ("`kubernetes: {registry: registry.example.com/team, ingress: {class_name: nginx}, "
            "tls: {issuer: letsencrypt}}`")


def check_kubernetes(c: CheckContext) -> None:
    for name, env in c.spec.environments.items():
        path = ("environments", name)
        if env.hosting.value != "kubernetes":
            if env.kubernetes is not None:
                c.error((*path, "kubernetes"), f"kubernetes settings only apply to kubernetes hosting, not "
                        f"{env.hosting.value}", "remove `kubernetes`", at_key=True)
        elif env.kubernetes is None:
            if not c.left_out(*path, "kubernetes"):
                c.missing((*path, "kubernetes"), "a kubernetes environment needs its kubernetes settings",
                          f"add at least the image registry: {_EXAMPLE}")
        else:
            _check_settings(c, (*path, "kubernetes"), env)


def _check_settings(c: CheckContext, path: tuple[str, ...], env: EnvironmentSpec) -> None:
    settings = env.kubernetes
    assert settings is not None
    reached = any(s.gateway for s in c.spec.services.values()) or c.spec.identity is not None
    if settings.ingress and settings.load_balancer:
        c.error((*path, "load_balancer"), "the gateway is exposed by an ingress or by a load balancer, not both",
                "remove `load_balancer`, or `ingress`")
    elif reached and not settings.ingress and not settings.load_balancer and not c.left_out(*path, "ingress"):
        c.error(path, "users cannot reach the gateway or the identity provider of this environment",
                "add `ingress: {class_name: nginx}` (your IngressClass), or `load_balancer: true`", at_key=True)
    tls = settings.tls
    if tls is None:
        if (settings.ingress or settings.load_balancer) and not c.left_out(*path, "tls"):
            c.missing((*path, "tls"), "the exposed hosts need a certificate",
                      "add `tls: {issuer: letsencrypt}` (a cert-manager issuer) "
                      "or `tls: {secret: NAME}` (a TLS Secret)")
    elif (tls.secret is None) == (tls.issuer is None):
        c.error((*path, "tls"), "tls takes either a Secret or a cert-manager issuer" +
                (", not both" if tls.secret else ""),
                "keep one of `secret` and `issuer`" if tls.secret else "add `issuer: NAME` or `secret: NAME`",
                at_key=True)
    if settings.rabbitmq_replicas % 2 == 0:
        c.error((*path, "rabbitmq_replicas"), f"{settings.rabbitmq_replicas} RabbitMQ nodes: a cluster of an even "
                "number of nodes loses its majority as soon as half of them are gone",
                f"use {settings.rabbitmq_replicas - 1} or {settings.rabbitmq_replicas + 1}")
    metrics = c.spec.observability.metrics
    for field, on in (("monitoring", settings.monitoring), ("dashboards", settings.dashboards.value != "none")):
        if on and not metrics and field in settings.model_fields_set:
            c.error((*path, field), f"{field}, but observability.metrics is false",
                    f"remove `{field}`, or set `observability.metrics: true`")
