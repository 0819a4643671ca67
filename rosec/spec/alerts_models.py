"""The `alerts` section of rose.yaml: where Alertmanager sends the alerts rosec generates.

Every credential is a secret known by name (an environment variable); its value never lives in the spec or in
a generated file.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from rosec.spec import names
from rosec.spec.base import EnvVarName, Spec

ReceiverName = Annotated[str, Field(pattern=names.DNS_LABEL, min_length=1, max_length=63,
                                    description="A receiver: lowercase DNS label.")]
OwnerName = Annotated[str, Field(pattern=r"^[^\s\"\\][^\"\\\n]*$", min_length=1, max_length=63,
                                 description="A team that owns services, as system.owner names it.")]
Url = Annotated[str, Field(pattern=r"^https?://[^\s]+$", description="An http or https URL.")]
EmailAddress = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$", description="An e-mail address.")]


class WebhookReceiver(Spec):
    url: Url
    """Where Alertmanager posts the alerts (its webhook JSON)."""
    token_secret: EnvVarName | None = None
    """Secret holding a bearer token sent in the Authorization header."""


class EmailReceiver(Spec):
    to: EmailAddress
    """Recipient address."""
    sender: EmailAddress
    """From address."""
    smarthost: Annotated[str, Field(pattern=r"^[A-Za-z0-9.-]+:[0-9]+$")]
    """SMTP server as host:port, e.g. smtp.example.com:587."""
    username: str | None = None
    """SMTP user name (with `password_secret`)."""
    password_secret: EnvVarName | None = None
    """Secret holding the SMTP password."""


class SlackReceiver(Spec):
    url_secret: EnvVarName
    """Secret holding the Slack incoming-webhook URL (the URL is the credential)."""
    channel: Annotated[str, Field(pattern=r"^[#@]?[A-Za-z0-9._-]+$")]
    """Channel to post to, e.g. #shop-alerts."""


class PagerDutyReceiver(Spec):
    routing_key_secret: EnvVarName
    """Secret holding the PagerDuty Events API v2 integration (routing) key."""


class ReceiverSpec(Spec):
    webhook: WebhookReceiver | None = None
    """Post the alerts to an HTTP endpoint."""
    email: EmailReceiver | None = None
    """Send the alerts by e-mail."""
    slack: SlackReceiver | None = None
    """Post the alerts to a Slack channel."""
    pagerduty: PagerDutyReceiver | None = None
    """Open PagerDuty incidents."""


class OwnerRoutes(Spec):
    page: ReceiverName | None = None
    """Receiver of this owner's page alerts (default: alerts.page)."""
    ticket: ReceiverName | None = None
    """Receiver of this owner's ticket alerts (default: alerts.ticket)."""


class AlertsSpec(Spec):
    receivers: dict[ReceiverName, ReceiverSpec] = {}
    """Where alerts can go; each receiver has one or more integrations."""
    page: ReceiverName | None = None
    """Receiver of page alerts (urgent: fast error-budget burn, a consumer gone, a target down)."""
    ticket: ReceiverName | None = None
    """Receiver of ticket alerts (slow burn, dead letters, a datastore filling up)."""
    owners: dict[OwnerName, OwnerRoutes] = {}
    """Routes per owning team: alerts of the services a team owns go to its receivers."""
