"""Messages to people: email over SMTP, SMS through an HTTP gateway, postal letters as a
batch for the printing provider; in development every message is also written to the
outbox folder and listed at ``/dev/outbox``. French templates carry the tenant's name."""

from .notifier import Delivery, Notifier, notifier

__all__ = ["Delivery", "Notifier", "notifier"]
