"""Email over a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import json
from email.utils import parsedate_to_datetime

from idp.notify import Message

from notify_support import CONTEXT, SMTP_PASSWORD, SMTP_USER, TENANT, free_port, make_notifier

SENDER = "Connexion Caf <no-reply@caf.example.fr>"


def _email(port, **extra):
    return {"enabled": True, "port": port, "sender": SENDER, "timeout": 5, **extra}


def test_activation_code_by_email(tmp_path, smtp_server):
    port, inbox = smtp_server
    n = make_notifier(tmp_path, email=_email(port))
    message = Message(**TENANT, channel="email", recipient="camille@example.fr", template="activation_code",
                      context={"code": "482913"})
    delivery = n.send(message)

    assert (delivery.id, delivery.channel, delivery.status, delivery.error) == (message.id, "email", "sent", None)
    envelope = inbox.envelopes[0]
    assert envelope.mail_from == "no-reply@caf.example.fr" and envelope.rcpt_tos == ["camille@example.fr"]
    email = inbox.parsed()
    assert email["Subject"] == "Caf – Mon Compte – votre code de confirmation"
    assert "482913" not in email["Subject"]
    assert email["From"] == SENDER and email["To"] == "camille@example.fr"
    assert email["Message-ID"].startswith("<") and email["Message-ID"].endswith("@caf.example.fr>")
    assert parsedate_to_datetime(email["Date"]) == message.created_at.replace(microsecond=0)
    assert email["Auto-Submitted"] == "auto-generated"
    text = email.get_body(("plain",)).get_content()
    assert "Votre code de confirmation Caf – Mon Compte : 482913" in text
    assert "Il expire dans 10 minutes." in text
    html = email.get_body(("html",)).get_content()
    assert email.get_content_type() == "multipart/alternative"
    assert '<html lang="fr">' in html and "482913" in html and "Caf – Mon Compte" in html


def test_activation_link_email_has_a_clickable_link(tmp_path, smtp_server):
    port, inbox = smtp_server
    n = make_notifier(tmp_path, email=_email(port))
    link = "https://idp.test/mairie/signup/activate/abc?x=1&y=2"
    n.send(Message("mairie", "Mairie de Villeneuve", "email", "elodie@example.fr", "activation_link", {"link": link}))
    email = inbox.parsed()
    assert email["Subject"] == "Mairie de Villeneuve – activez votre compte"
    assert link in email.get_body(("plain",)).get_content()
    assert 'href="https://idp.test/mairie/signup/activate/abc?x=1&amp;y=2"' in email.get_body(("html",)).get_content()


def test_smtp_login(tmp_path, smtp_server):
    port, inbox = smtp_server
    good = make_notifier(tmp_path, email=_email(port, username=SMTP_USER, password=SMTP_PASSWORD))
    bad = make_notifier(tmp_path, email=_email(port, username=SMTP_USER, password="wrong"))
    assert good.send_to("email", "a@example.fr", "activation_code", CONTEXT, **TENANT).status == "sent"
    refused = bad.send_to("email", "a@example.fr", "activation_code", CONTEXT, **TENANT)
    assert (refused.status, refused.error) == ("failed", "SMTP SMTPAuthenticationError")
    assert len(inbox.envelopes) == 1


def test_smtp_down_fails_but_the_outbox_keeps_the_message(tmp_path):
    n = make_notifier(tmp_path, email=_email(free_port(), username=SMTP_USER, password=SMTP_PASSWORD))
    delivery = n.send_to("email", "a@example.fr", "password_reset_code", {"code": "777111"}, **TENANT)
    assert delivery.status == "failed" and delivery.error == "SMTP ConnectionRefusedError"
    [record] = n.outbox()
    assert record["status"] == "failed" and "777111" in record["text"]
    raw = next((tmp_path / "outbox").glob("*.json")).read_text(encoding="utf-8")
    assert SMTP_PASSWORD not in raw
    assert json.loads(raw)["error"] == "SMTP ConnectionRefusedError"
