"""Where alerts go: the receivers of the spec's `alerts` section and the routes by severity and owner.

Credentials are secrets known by name; Alertmanager reads each from a file named after the secret in
ALERTMANAGER_SECRETS_DIR (Compose mounts them there from the env file; Kubernetes mounts a Secret there).
"""

from __future__ import annotations

from dataclasses import dataclass

from rosec.spec.alerts_models import ReceiverSpec
from rosec.spec.models import RoseSpec

PAGE, TICKET = "page", "ticket"  # the two severities of every alert rosec generates
SEVERITIES = (PAGE, TICKET)
ALERTMANAGER_SECRETS_DIR = "/run/secrets"
NULL_RECEIVER = "none"  # alerts nobody routes stay visible in Alertmanager but are not sent anywhere


@dataclass(frozen=True)
class Webhook:
    url: str
    token_secret: str | None


@dataclass(frozen=True)
class Email:
    to: str
    sender: str
    smarthost: str
    username: str | None
    password_secret: str | None


@dataclass(frozen=True)
class Slack:
    url_secret: str
    channel: str


@dataclass(frozen=True)
class PagerDuty:
    routing_key_secret: str


@dataclass(frozen=True)
class Receiver:
    name: str
    webhook: Webhook | None = None
    email: Email | None = None
    slack: Slack | None = None
    pagerduty: PagerDuty | None = None

    @property
    def secrets(self) -> tuple[str, ...]:
        found = (self.webhook and self.webhook.token_secret, self.email and self.email.password_secret,
                 self.slack and self.slack.url_secret, self.pagerduty and self.pagerduty.routing_key_secret)
        return tuple(s for s in found if s)


@dataclass(frozen=True)
class OwnerRoute:
    owner: str
    page: str  # receiver names
    ticket: str


@dataclass(frozen=True)
class Alerting:
    receivers: tuple[Receiver, ...] = ()
    page: str = NULL_RECEIVER  # receiver of page alerts no owner route takes
    ticket: str = NULL_RECEIVER
    owners: tuple[OwnerRoute, ...] = ()

    def receiver(self, severity: str, owner: str = "") -> str:
        """Where the routing sends an alert of this severity and owner: the owner's route first, then the
        severity's (NULL_RECEIVER when the spec routes it nowhere)."""
        route = next((r for r in self.owners if r.owner == owner), None)
        page, ticket = (route.page, route.ticket) if route else (self.page, self.ticket)
        return page if severity == PAGE else ticket

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret a receiver reads, once, in declaration order."""
        return tuple(dict.fromkeys(s for r in self.receivers for s in r.secrets))


def secret_file(secret: str) -> str:
    """Where Alertmanager reads a secret's value."""
    return f"{ALERTMANAGER_SECRETS_DIR}/{secret}"


def build_alerting(spec: RoseSpec) -> Alerting:
    alerts = spec.alerts
    page, ticket = alerts.page or NULL_RECEIVER, alerts.ticket or NULL_RECEIVER
    receivers = tuple(_receiver(name, r) for name, r in alerts.receivers.items())
    owners = tuple(OwnerRoute(owner, route.page or page, route.ticket or ticket)
                   for owner, route in alerts.owners.items())
    return Alerting(receivers, page, ticket, owners)


def _receiver(name: str, r: ReceiverSpec) -> Receiver:
    return Receiver(
        name=name,
        webhook=Webhook(r.webhook.url, r.webhook.token_secret) if r.webhook else None,
        email=Email(r.email.to, r.email.sender, r.email.smarthost, r.email.username, r.email.password_secret)
        if r.email else None,
        slack=Slack(r.slack.url_secret, r.slack.channel) if r.slack else None,
        pagerduty=PagerDuty(r.pagerduty.routing_key_secret) if r.pagerduty else None,
    )
