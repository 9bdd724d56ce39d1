"""SMS through the HTTP gateway (requests-mock: nothing leaves the machine)."""

from __future__ import annotations

import pydantic
import pytest
import requests
import requests_mock

from idp.notify import Message, NotifySettings
from idp.notify.gsm import BASIC, EXTENDED, gsm_length

from notify_support import TENANT, make_notifier

GATEWAY = "https://sms.example.test/v1/messages"
SMS = {"enabled": True, "gateway_url": GATEWAY, "api_token": "gw-secret-token", "sender_id": "CAF", "timeout": 2}


def test_activation_code_by_sms(tmp_path):
    n = make_notifier(tmp_path, sms=SMS)
    with requests_mock.Mocker() as mock:
        mock.post(GATEWAY, status_code=202, json={"id": "gw-1"})
        delivery = n.send(Message(**TENANT, channel="sms", recipient="+33612345678", template="activation_code",
                                  context={"code": "123456"}))
        [sent] = mock.request_history
    assert delivery.status == "sent" and delivery.error is None
    assert sent.headers["Authorization"] == "Bearer gw-secret-token"
    assert sent.headers["Content-Type"] == "application/json"
    payload = sent.json()
    assert payload == {"to": "+33612345678", "from": "CAF", "text": payload["text"]}
    # the en dash of the tenant's name would make it a 70-character UCS-2 SMS
    assert payload["text"] == ("Votre code de confirmation Caf - Mon Compte : 123456. Il expire dans 10 minutes. "
                               "Ne le communiquez à personne.")
    assert all(c in BASIC + EXTENDED for c in payload["text"]) and gsm_length(payload["text"]) <= 160
    assert n.outbox()[0]["text"] == payload["text"]


@pytest.mark.parametrize("template", ["activation_code", "password_reset_code", "email_change_code"])
def test_code_sms_fit_in_one_sms(tmp_path, template):
    n = make_notifier(tmp_path, sms=SMS)
    with requests_mock.Mocker() as mock:
        mock.post(GATEWAY, status_code=200)
        n.send_to("sms", "+33612345678", template, {"code": "123456"}, tenant="ameli",
                  tenant_name="ameli – Compte assuré")
        text = mock.request_history[0].json()["text"]
    assert "123456" in text and "ameli - Compte assuré" in text
    assert gsm_length(text) <= 160 and all(c in BASIC + EXTENDED for c in text)


@pytest.mark.parametrize("failure, error", [
    ({"status_code": 500}, "SMS gateway answered 500"),
    ({"status_code": 401}, "SMS gateway answered 401"),
    ({"status_code": 302, "headers": {"Location": "https://elsewhere.test/"}}, "SMS gateway answered 302"),
    ({"exc": requests.exceptions.ConnectTimeout}, "SMS gateway timeout"),
    ({"exc": requests.exceptions.ReadTimeout}, "SMS gateway timeout"),
    ({"exc": requests.exceptions.ConnectionError}, "SMS gateway unreachable (ConnectionError)"),
])
def test_gateway_failure_is_a_failed_delivery_and_the_outbox_is_written(tmp_path, failure, error):
    n = make_notifier(tmp_path, sms=SMS)
    with requests_mock.Mocker() as mock:
        mock.post(GATEWAY, **failure)
        delivery = n.send_to("sms", "+33612345678", "activation_code", {"code": "654321"}, **TENANT)
    assert (delivery.status, delivery.error) == ("failed", error)
    [record] = n.outbox()
    assert record["to"] == "+33612345678" and record["status"] == "failed" and record["error"] == error
    assert "654321" in record["text"]
    [path] = (tmp_path / "outbox").glob("*.json")
    assert "gw-secret-token" not in path.read_text(encoding="utf-8")


def test_disabled_sms_only_reaches_the_outbox(tmp_path):
    n = make_notifier(tmp_path)
    with requests_mock.Mocker() as mock:
        delivery = n.send_to("sms", "+33612345678", "activation_code", {"code": "111222"}, **TENANT)
        assert mock.call_count == 0
    assert (delivery.status, delivery.error) == ("queued", None)
    assert n.outbox()[0]["status"] == "queued" and "111222" in n.outbox()[0]["text"]


def test_enabled_sms_needs_a_gateway_url():
    with pytest.raises(pydantic.ValidationError, match="gateway_url"):
        NotifySettings.model_validate({"sms": {"enabled": True}})


def test_recipients_are_checked():
    with pytest.raises(ValueError, match="E.164"):
        Message(**TENANT, channel="sms", recipient="06 12 34 56 78", template="activation_code")
    with pytest.raises(ValueError, match="address"):
        Message(**TENANT, channel="email", recipient="not-an-email", template="activation_code")
    with pytest.raises(ValueError, match="postal address"):
        Message(**TENANT, channel="letter", recipient="12 rue de la Paix", template="provisional_code_letter")
    with pytest.raises(ValueError, match="unknown channel"):
        Message(**TENANT, channel="fax", recipient="+33612345678", template="activation_code")
