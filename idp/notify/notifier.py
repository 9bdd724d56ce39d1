"""The notifier: render a French message, hand it to its channel, record it in the outbox.

``Notifier.send(message)`` never raises for a delivery problem (SMTP down, gateway 500 or
timeout): the :class:`Delivery` says ``failed``. An unknown template or a missing template
value is a programming error and raises ``ValueError`` / ``jinja2.UndefinedError``.
Log lines name the tenant, channel, template and outcome, never the recipient or the text.
"""

from __future__ import annotations

import logging
from typing import Any, Mapping

from flask import Flask, current_app

from idp.notify.channels import Channel, enabled_channels
from idp.notify.gsm import SINGLE_SMS, gsm_length
from idp.notify.message import Delivery, DeliveryError, Message
from idp.notify.outbox import Outbox
from idp.notify.settings import NotifySettings
from idp.notify.templates import Rendered, render

log = logging.getLogger("idp.notify")

# The [verification] defaults; pass the configured values (see setup_notify).
CONTEXT_DEFAULTS = {"minutes": 10, "hours": 24, "days": 30}


class Notifier:
    """Sends :class:`Message` values through the enabled channels.

    ``context_defaults`` fill template values the caller leaves out (the validity of codes:
    ``minutes``, ``hours``, ``days``). ``channels`` replaces the channels built from
    ``settings`` (tests, other transports).
    """

    def __init__(self, settings: NotifySettings, *, context_defaults: Mapping[str, Any] | None = None,
                 channels: Mapping[str, Channel] | None = None):
        self.settings = settings
        self.context_defaults = dict(CONTEXT_DEFAULTS if context_defaults is None else context_defaults)
        self.channels = dict(enabled_channels(settings) if channels is None else channels)
        self.box = Outbox(settings.outbox_dir)

    def render(self, message: Message) -> Rendered:
        context = {**self.context_defaults, **message.context,
                   "tenant": message.tenant, "tenant_name": message.tenant_name}
        return render(message.template, context, message.channel)

    def send(self, message: Message) -> Delivery:
        rendered = self.render(message)
        delivery = self._deliver(message, rendered)
        self.box.write(self._record(message, rendered, delivery), message.created_at)
        log.info("message_sent tenant=%s channel=%s template=%s status=%s", message.tenant, message.channel,
                 message.template, delivery.status)
        return delivery

    def send_to(self, channel: str, destination, template: str, context: Mapping[str, Any], *, tenant: str,
                tenant_name: str) -> Delivery:
        """``send`` with the message's parts as arguments (the ``idp.messaging`` signature)."""
        return self.send(Message(tenant=tenant, tenant_name=tenant_name, channel=channel, recipient=destination,
                                 template=template, context=context))

    def outbox(self, limit: int | None = None) -> list[dict]:
        """Outbox records, newest first (empty when ``outbox_dir`` is not set)."""
        return self.box.messages(limit)

    def outbox_message(self, message_id: str) -> dict | None:
        """One outbox record, or ``None``."""
        return self.box.get(message_id)

    def _deliver(self, message: Message, rendered: Rendered) -> Delivery:
        channel = self.channels.get(message.channel)
        if channel is None:
            if not self.box.enabled:
                log.warning("message_dropped tenant=%s channel=%s reason=channel_disabled_and_no_outbox",
                            message.tenant, message.channel)
            return Delivery(message.id, message.channel, "queued")
        if message.channel == "sms" and gsm_length(rendered.text) > SINGLE_SMS:
            log.warning("sms_long tenant=%s template=%s septets=%d", message.tenant, message.template,
                        gsm_length(rendered.text))
        try:
            channel.deliver(message, rendered)
        except DeliveryError as exc:
            log.warning("message_failed tenant=%s channel=%s template=%s reason=%s", message.tenant,
                        message.channel, message.template, exc)
            return Delivery(message.id, message.channel, "failed", str(exc))
        return Delivery(message.id, message.channel, "sent")

    @staticmethod
    def _record(message: Message, rendered: Rendered, delivery: Delivery) -> dict:
        # What the message shows and its outcome; never the context or channel credentials.
        record = {"id": message.id, "tenant": message.tenant, "tenant_name": message.tenant_name,
                  "channel": message.channel, "to": message.recipient if isinstance(message.recipient, str)
                  else dict(message.recipient), "template": message.template,
                  "created_at": message.created_at.isoformat(), "subject": rendered.subject, "text": rendered.text,
                  "status": delivery.status, "error": delivery.error}
        if rendered.html:
            record["html"] = rendered.html
        return record


def setup_notify(app: Flask, settings: NotifySettings, *, context_defaults: Mapping[str, Any] | None = None) -> Notifier:
    """Build the notifier into ``app.extensions["idp_notifier"]``; serve ``/dev/outbox`` when
    ``settings.dev_outbox_page`` is true."""
    from idp.notify.views import dev_blueprint   # here: that view imports this module (notifier())

    app.extensions["idp_notifier"] = built = Notifier(settings, context_defaults=context_defaults)
    if settings.dev_outbox_page:
        app.register_blueprint(dev_blueprint())
        log.warning("development: messages listed at /dev/outbox")
    return built


def notifier() -> Notifier:
    """The application's notifier."""
    return current_app.extensions["idp_notifier"]
