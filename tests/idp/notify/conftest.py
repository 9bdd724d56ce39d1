"""Fixtures of the notifier tests: a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from notify_support import SMTP_PASSWORD, SMTP_USER, Inbox, free_port


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == SMTP_USER.encode() and auth_data.password == SMTP_PASSWORD.encode()
    return AuthResult(success=ok, handled=False)  # handled=True would leave the client waiting


@pytest.fixture
def smtp_server():
    """(port, inbox) of an SMTP server on 127.0.0.1 accepting LOGIN/PLAIN without TLS."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=_authenticator,
                            auth_require_tls=False)
    controller.start()
    yield port, inbox
    controller.stop()
