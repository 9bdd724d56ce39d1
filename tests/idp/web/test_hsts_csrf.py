"""Strict-Transport-Security with an https public URL only; the CSRF token rotated when an
SSO session starts, and refused with a French message once older than the interaction TTL."""

from __future__ import annotations

import time

from itsdangerous import TimestampSigner

from helpers import authorize, csrf, location, make_account, make_client, page_text, path_of, submit_login
from support import make_settings

HSTS = "max-age=31536000; includeSubDomains"
CSRF_REFUSED = "Ce formulaire a expiré ou ne vient pas de ce site."
CSRF_EXPIRED = ("Cette page est restée ouverte plus de 60 minutes : pour votre sécurité, son formulaire a "
                "expiré. Rechargez la page et recommencez.")


def test_hsts_only_with_an_https_public_url(http, tmp_path):
    from idp.app import create_app

    assert "Strict-Transport-Security" not in http.get("/").headers
    secure = create_app({"TESTING": True}, settings=make_settings(tmp_path, server={"public_url": "https://idp.test"}))
    for path in ("/", "/healthz", "/nowhere"):
        assert secure.test_client().get(path).headers["Strict-Transport-Security"] == HSTS


def test_the_csrf_token_of_the_login_page_is_void_after_the_login(http, app):
    client_id, _ = make_client(app, "caf")            # third party: the consent page follows the login
    make_account(app, "caf")
    login = location(authorize(http, "caf", client_id))
    before = csrf(http.get(path_of(login)).get_data(as_text=True))
    consent = path_of(location(submit_login(http, login, "1 84 03 12 345 678", "Allocation2024")))
    stale = http.post(consent, data={"csrf_token": before, "decision": "allow"})
    assert stale.status_code == 400 and CSRF_REFUSED in page_text(stale)
    after = csrf(http.get(consent).get_data(as_text=True))
    assert after != before
    assert location(http.post(consent, data={"csrf_token": after, "decision": "allow"})).endswith("/resume")


def test_a_form_older_than_the_interaction_ttl_is_refused_in_french(http, app, monkeypatch):
    client_id, _ = make_client(app, "caf", first_party=True)
    make_account(app, "caf")
    login = path_of(location(authorize(http, "caf", client_id)))
    hour_ago = int(time.time()) - app.config["IDP_SETTINGS"].tokens.interaction_ttl - 1
    with monkeypatch.context() as patch:   # the page as it was served an hour ago
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: hour_ago)
        token = csrf(http.get(login).get_data(as_text=True))
    expired = http.post(login, data={"csrf_token": token, "identifier": "1 84 03 12 345 678",
                                     "password": "Allocation2024"})
    assert expired.status_code == 400
    assert "Formulaire expiré" in page_text(expired) and CSRF_EXPIRED in page_text(expired)
    fresh = csrf(http.get(login).get_data(as_text=True))
    assert "code=" in location(http.post(login, data={"csrf_token": fresh, "identifier": "1 84 03 12 345 678",
                                                      "password": "Allocation2024"}))
