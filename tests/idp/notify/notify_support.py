"""Helpers for the notifier tests (imported by name: pytest's conftest is not importable)."""

from __future__ import annotations

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

from idp.notify import Notifier, NotifySettings

TENANT = {"tenant": "caf", "tenant_name": "Caf – Mon Compte"}
CONTEXT = {"code": "123456", "link": "https://idp.test/caf/signup/activate/abc", "identifier": "1840312345678",
           "minutes": 10, "hours": 24, "days": 30,
           "when": "12/03/2026 à 14:05", "passkey_name": "Téléphone", "reset": False, "changed": "email",
           "new_contact": "n***@example.fr", "mfa_change": "enrolled", "method": "une application d'authentification"}
SMTP_USER, SMTP_PASSWORD = "idp", "smtp-secret-pw"
ADDRESS = {"name": "Louise Bernard", "lines": ["12 rue de la Paix"], "postal_code": "75011", "city": "Paris"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_notifier(tmp_path, **sections) -> Notifier:
    data = {"outbox_dir": str(tmp_path / "outbox"), **sections}
    return Notifier(NotifySettings.model_validate(data))


class Inbox:
    """An aiosmtpd handler keeping every envelope."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"

    def parsed(self, index: int = -1) -> EmailMessage:
        return message_from_bytes(self.envelopes[index].content, policy=policy.default)
