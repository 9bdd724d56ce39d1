"""What the notifier is asked to send (:class:`Message`) and what became of it (:class:`Delivery`)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal, Mapping

ChannelName = Literal["email", "sms", "letter"]
CHANNELS: tuple[str, ...] = ("email", "sms", "letter")
Status = Literal["sent", "failed", "queued"]

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _new_id() -> str:
    return uuid.uuid4().hex


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Message:
    """One message to one person, before rendering.

    ``recipient`` is an email address (``email``), an E.164 phone number such as
    ``+33612345678`` (``sms``), or a postal address (``letter``): a dict with ``name`` and
    ``lines``, and usually ``postal_code``, ``city``, ``country``. ``context`` holds the
    template's values (``code``, ``link``, ``identifier``...).
    """

    tenant: str
    tenant_name: str
    channel: ChannelName
    recipient: str | Mapping[str, Any]
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)
    created_at: datetime = field(default_factory=_now)
    id: str = field(default_factory=_new_id)

    def __post_init__(self):
        if not MESSAGE_ID.match(self.id):
            raise ValueError("a message id is 1 to 64 letters, digits, '-' or '_'")
        if self.created_at.tzinfo is None:
            raise ValueError("created_at must be timezone-aware")
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}; expected one of {', '.join(CHANNELS)}")
        if self.channel == "letter":
            if not isinstance(self.recipient, Mapping) or not self.recipient.get("name"):
                raise ValueError("a letter needs a postal address: a dict with at least 'name'")
        elif not isinstance(self.recipient, str):
            raise ValueError(f"an {self.channel} recipient is a string")
        elif self.channel == "sms" and not E164.match(self.recipient):
            raise ValueError("an SMS recipient is an E.164 number such as +33612345678")
        elif self.channel == "email" and not EMAIL.match(self.recipient):
            raise ValueError("an email recipient is an address such as camille@example.fr")


@dataclass(frozen=True)
class Delivery:
    """The outcome of :meth:`Notifier.send`.

    ``status`` is ``"sent"`` when the channel accepted the message (the SMTP server took it,
    the gateway answered 2xx, the letter was appended to the day's batch), ``"failed"`` when
    it did not (``error`` says why, without secrets), and ``"queued"`` when the channel is
    disabled: the message was only recorded in the outbox, and nothing will deliver it.
    """

    id: str
    channel: str
    status: Status
    error: str | None = None


class DeliveryError(Exception):
    """A channel could not hand the message over; the text is safe to log."""
