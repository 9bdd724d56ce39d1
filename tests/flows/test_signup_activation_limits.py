"""What the mairie signup's activation step and the live password checklist let an
anonymous caller do: each is limited, per account and per address."""

from __future__ import annotations

import pytest
from helpers import csrf, location, page_text
from messages_support import messages
from test_signup_mairie import IDENTITY, post_step, signup_until_activation

TOO_MANY_REQUESTS = "Trop de demandes depuis votre connexion. Réessayez plus tard."
SENT_TO = {"sms": ("sms", "+33612345678"), "email": ("email", IDENTITY["email"])}


@pytest.mark.parametrize("channel", ["sms", "email"])
def test_activation_step_posted_again_sends_nothing_more(http, app, channel):
    """Each POST of the step sent a code or link, without limit (a free SMS and mail pump).
    Sent again on the same channel (a double click, the page sent again), it goes where the
    code is typed, whose "Renvoyer" is limited (below)."""
    signup_until_activation(http)
    first = location(post_step(http, "activation", {"channel": channel}))
    assert first.startswith("/mairie/signup/activation/")
    assert location(post_step(http, "activation", {"channel": channel})) == first
    assert len(messages(app, *SENT_TO[channel])) == 1


def test_activation_step_is_limited_per_address(http, app):
    """The address's send budget is shared with every other code request (here: forgot pages)."""
    limit = app.config["IDP_SETTINGS"].verification.max_sends_per_address
    signup_until_activation(http)
    forgot = page_text(http.get("/mairie/password/forgot"))
    for _ in range(limit):
        http.post("/mairie/password/forgot", data={"csrf_token": csrf(forgot), "identifier": "personne.inconnue",
                                                   "channel": "sms"})
    refused = post_step(http, "activation", {"channel": "sms"})
    assert refused.status_code == 429 and TOO_MANY_REQUESTS in page_text(refused)
    assert messages(app, *SENT_TO["sms"]) == []


def test_resend_is_limited_per_address(http, app, monkeypatch):
    import test_recovery

    limit = app.config["IDP_SETTINGS"].verification.max_sends_per_address
    signup_until_activation(http)
    post_step(http, "activation", {"channel": "sms"})
    test_recovery.later(monkeypatch, 61)                # the resend delay has passed...
    counters = app.extensions["idp_counters"]
    for _ in range(limit):                              # ...but this address has asked enough
        counters.incr("verify-ip:mairie:127.0.0.1", 3600)
    page = page_text(http.get("/mairie/signup/activation/code"))
    refused = http.post("/mairie/signup/activation/code", data={"csrf_token": csrf(page), "action": "resend"})
    assert refused.status_code == 429 and TOO_MANY_REQUESTS in page_text(refused)
    assert len(messages(app, *SENT_TO["sms"])) == 1


def test_live_password_check_is_limited_per_address(http, app, monkeypatch):
    import idp.signup.limits as limits

    settings = app.config["IDP_SETTINGS"].signup_limits.model_copy(update={"password_checks_per_address": 3})
    monkeypatch.setattr(limits, "_settings", lambda: settings)
    signup_until_activation(http)
    token = csrf(page_text(http.get("/mairie/signup/mot-de-passe")))

    def check(**environ):
        return http.post("/mairie/signup/password-check", data={"password": "Citoyenne"},
                         headers={"X-CSRFToken": token}, environ_base=environ)

    for _ in range(3):
        assert check().status_code == 200
    refused = check()
    assert refused.status_code == 429 and refused.headers["Cache-Control"] == "no-store"
    assert refused.get_json() == {"error": "Trop de vérifications du mot de passe. Réessayez dans 60 minutes."}
    assert check(REMOTE_ADDR="10.0.0.9").status_code == 200     # per address
