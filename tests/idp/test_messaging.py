"""The notifier: real SMTP (aiosmtpd on loopback), SMS gateway (requests-mock), letters,
the development outbox and its page."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
import requests
import requests_mock
from aiosmtpd.controller import Controller

from idp.messaging import Notifier
from idp.messaging.templates import TEMPLATES, render
from idp.settings import NotifySettings


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, inbox
    controller.stop()


def notifier(tmp_path, **overrides) -> Notifier:
    settings = NotifySettings.model_validate({"outbox_dir": str(tmp_path / "outbox"),
                                              "letters": {"batch_dir": str(tmp_path / "letters")}, **overrides})
    return Notifier(settings)


def test_email_over_real_smtp(tmp_path, smtp):
    port, inbox = smtp
    n = notifier(tmp_path, email={"enabled": True, "port": port, "sender": "Caf <no-reply@caf.example>"})
    delivery = n.send_to("email", "camille@example.fr", "activation_link", {"link": "https://idp.test/caf/x"},
                         tenant="caf", tenant_name="Caf – Mon Compte")
    assert delivery.status == "sent"
    envelope = inbox.messages[0]
    body = envelope.content.decode("utf-8", "replace")
    assert envelope.rcpt_tos == ["camille@example.fr"] and envelope.mail_from == "no-reply@caf.example"
    assert "Subject: =?utf-8?" in body or "Subject: Caf" in body
    assert "https://idp.test/caf/x" in body and "Message-ID:" in body


def test_smtp_down_is_a_failed_delivery_but_outbox_written(tmp_path):
    n = notifier(tmp_path, email={"enabled": True, "port": 9, "timeout": 1})
    delivery = n.send_to("email", "a@example.fr", "activation_code", {"code": "123456"}, tenant="caf", tenant_name="Caf")
    assert delivery.status == "failed"
    assert n.outbox()[0]["status"] == "failed"


def test_sms_gateway(tmp_path):
    n = notifier(tmp_path, sms={"enabled": True, "gateway_url": "https://sms.example/send", "api_token": "tok"})
    with requests_mock.Mocker() as mock:
        mock.post("https://sms.example/send", status_code=202)
        delivery = n.send_to("sms", "+33612345678", "activation_code", {"code": "654321"},
                             tenant="mairie", tenant_name="Mairie")
        sent = mock.request_history[0]
    assert delivery.status == "sent"
    assert sent.headers["Authorization"] == "Bearer tok"
    payload = sent.json()
    assert payload["to"] == "+33612345678" and "654321" in payload["text"] and "Mairie" in payload["text"]
    assert len(payload["text"]) <= 160


@pytest.mark.parametrize("failure", [{"status_code": 500}, {"exc": requests.exceptions.ConnectTimeout}])
def test_sms_gateway_failures(tmp_path, failure):
    n = notifier(tmp_path, sms={"enabled": True, "gateway_url": "https://sms.example/send"})
    with requests_mock.Mocker() as mock:
        mock.post("https://sms.example/send", **failure)
        delivery = n.send_to("sms", "+33612345678", "activation_code", {"code": "1"}, tenant="t", tenant_name="T")
    assert delivery.status == "failed"
    assert n.outbox()[0]["to"] == "+33612345678"


def test_letters_batch(tmp_path):
    n = notifier(tmp_path)
    address = {"name": "Louise Bernard", "lines": ["12 rue de la Paix"], "postal_code": "75011", "city": "Paris"}
    delivery = n.send_to("letter", address, "provisional_code_letter", {"code": "AB12CD34"},
                         tenant="ameli", tenant_name="ameli")
    assert delivery.status == "sent"
    batch = next(Path(tmp_path / "letters").glob("letters-*.jsonl")).read_text(encoding="utf-8").splitlines()
    assert json.loads(batch[0])["to"]["postal_code"] == "75011" and "AB12CD34" in json.loads(batch[0])["text"]


def test_disabled_channels_only_write_the_outbox(tmp_path):
    n = notifier(tmp_path)
    assert n.send_to("sms", "+33612345678", "activation_code", {"code": "1"}, tenant="t", tenant_name="T").status == "outbox"


def test_every_template_renders_in_french_with_the_tenant_name():
    context = {"code": "123456", "link": "https://x", "identifier": "jean.dupont", "minutes": 10, "hours": 24,
               "days": 30, "tenant_name": "Mairie de Test"}
    for name in TEMPLATES:
        subject, text = render(name, context)
        assert "Mairie de Test" in subject and "Mairie de Test" in text
        assert "123456" not in subject and "https://x" not in subject


def test_outbox_page(http, app):
    app.extensions["idp_notifier"].send_to("email", "x@example.fr", "activation_code", {"code": "424242"},
                                           tenant="caf", tenant_name="Caf – Mon Compte")
    page = http.get("/dev/outbox/")
    assert page.status_code == 200 and "x@example.fr" in page.get_data(as_text=True)
    message_id = app.extensions["idp_notifier"].outbox()[0]["id"]
    assert "424242" in http.get(f"/dev/outbox/{message_id}").get_data(as_text=True)
