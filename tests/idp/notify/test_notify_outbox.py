"""The development outbox: JSON files, and the /dev/outbox pages on a minimal Flask app."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from flask import Flask

from idp.notify import Message, NotifySettings, notifier, setup_notify

from notify_support import ADDRESS, TENANT


@pytest.fixture
def app(tmp_path):
    app = Flask("notify_test")
    setup_notify(app, NotifySettings(outbox_dir=str(tmp_path / "outbox"), dev_outbox_page=True,
                                     sms={"api_token": "never-in-the-outbox"}))
    return app


def _send(app, **fields):
    with app.app_context():
        return notifier().send(Message(**{**TENANT, **fields}))


def test_outbox_record(tmp_path, app):
    delivery = _send(app, channel="email", recipient="camille@example.fr", template="activation_code",
                     context={"code": "424242", "internal": "not-for-the-outbox"})
    [path] = (tmp_path / "outbox").glob("*.json")
    assert path.name.endswith(f"-{delivery.id}.json")
    record = json.loads(path.read_text(encoding="utf-8"))
    assert set(record) == {"id", "tenant", "tenant_name", "channel", "to", "template", "created_at", "subject",
                           "text", "html", "status", "error"}
    assert record["to"] == "camille@example.fr" and record["status"] == "queued" and "424242" in record["text"]
    raw = path.read_text(encoding="utf-8")
    assert "not-for-the-outbox" not in raw and "never-in-the-outbox" not in raw


def test_outbox_page_lists_newest_first_in_french(app):
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    _send(app, channel="email", recipient="premier@example.fr", template="activation_code",
          context={"code": "111111"}, created_at=start)
    _send(app, channel="sms", recipient="+33612345678", template="password_reset_code",
          context={"code": "222222"}, created_at=start + timedelta(minutes=1))
    _send(app, channel="letter", recipient=ADDRESS, template="provisional_code_letter",
          context={"code": "AB12CD34"}, created_at=start + timedelta(minutes=2))
    page = app.test_client().get("/dev/outbox/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert '<html lang="fr">' in html and "Messages envoyés" in html and "<script" not in html
    assert html.index("Louise Bernard") < html.index("+33612345678") < html.index("premier@example.fr")
    assert "Courrier" in html and "SMS" in html and "Courriel" in html and "non envoyé (canal désactivé)" in html
    assert "111111" not in html  # the list shows subjects, never a code
    assert app.test_client().get("/dev/outbox").status_code in (301, 308)


def test_message_page_shows_the_message(app):
    delivery = _send(app, channel="email", recipient="camille@example.fr", template="activation_link",
                     context={"link": "https://idp.test/caf/signup/activate/xyz"})
    client = app.test_client()
    listing = client.get("/dev/outbox/").get_data(as_text=True)
    href = re.search(r'href="(/dev/outbox/[^"]+)"', listing).group(1)
    assert href == f"/dev/outbox/{delivery.id}"
    html = client.get(href).get_data(as_text=True)
    assert "Caf – Mon Compte – activez votre compte" in html
    assert '<a href="https://idp.test/caf/signup/activate/xyz"' in html
    assert "<iframe" in html and "sandbox" in html  # the HTML version, without scripts


@pytest.mark.parametrize("message_id", ["0" * 32, "..", "*", "a" * 65])
def test_unknown_message_is_404(app, message_id):
    assert app.test_client().get(f"/dev/outbox/{message_id}").status_code == 404


def test_empty_outbox_page(app):
    assert "Aucun message pour le moment." in app.test_client().get("/dev/outbox/").get_data(as_text=True)


def test_page_absent_unless_enabled(tmp_path):
    app = Flask("notify_test_off")
    setup_notify(app, NotifySettings(outbox_dir=str(tmp_path / "outbox")))
    assert app.test_client().get("/dev/outbox/").status_code == 404
    assert "notify_outbox" not in app.blueprints


def test_no_outbox_dir_writes_nothing(tmp_path):
    app = Flask("notify_test_none")
    n = setup_notify(app, NotifySettings())
    assert app.extensions["idp_notifier"] is n
    assert n.send_to("email", "a@example.fr", "activation_code", {"code": "1"}, **TENANT).status == "queued"
    assert n.outbox() == [] and not any(tmp_path.iterdir())
