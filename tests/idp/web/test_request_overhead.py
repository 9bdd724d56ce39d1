"""Work a request does not need is not done, with the same answers (issue 15): Flask's
session is not prepared for a request that sent no session cookie."""

from __future__ import annotations

from helpers import authorize, csrf, location, make_client, path_of


def test_a_request_without_a_session_cookie_builds_no_signer(http, app, monkeypatch):
    from idp.app import CookieSession

    built = []
    original = CookieSession.get_signing_serializer
    monkeypatch.setattr(CookieSession, "get_signing_serializer",
                        lambda self, flask_app: built.append(flask_app) or original(self, flask_app))
    refused = http.post("/caf/token", data={"grant_type": "client_credentials"})
    assert refused.status_code == 401 and refused.get_json()["error"] == "invalid_client"
    assert built == []
    client_id, _ = make_client(app, "caf")
    login = path_of(location(authorize(http, "caf", client_id)))
    assert csrf(http.get(login).get_data(as_text=True))   # the CSRF token goes into the session cookie
    assert built   # signed on its way out
    built.clear()
    assert csrf(http.get(login).get_data(as_text=True)) and built   # the cookie came back: read and checked


def test_the_session_signer_built_once_still_refuses_a_tampered_cookie_and_follows_the_keys(app):
    """The session's serializer is kept per secret key and fallbacks (issue 15): reused, it
    still refuses a cookie whose signature was altered; a new SECRET_KEY refuses the old
    cookies until the old key is listed in SECRET_KEY_FALLBACKS, as Flask's own does."""
    from flask import request

    interface = app.session_interface
    assert interface.get_signing_serializer(app) is interface.get_signing_serializer(app)
    name = interface.get_cookie_name(app)
    cookie = interface.get_signing_serializer(app).dumps({"csrf_token": "abc"})

    def opened(value):
        with app.test_request_context("/", headers={"Cookie": f"{name}={value}"}):
            return dict(interface.open_session(app, request))

    assert opened(cookie) == {"csrf_token": "abc"}
    payload, stamp, signature = cookie.split(".")[-3:]
    forged = cookie[: -len(signature)] + ("B" if signature[0] == "A" else "A") + signature[1:]
    assert opened(forged) == {}
    assert opened(cookie) == {"csrf_token": "abc"}   # the refusal left the signer as it was
    old_key, old_fallbacks = app.secret_key, app.config["SECRET_KEY_FALLBACKS"]
    try:
        app.secret_key = "another secret key, long enough for the test only"
        assert opened(cookie) == {}
        app.config["SECRET_KEY_FALLBACKS"] = [old_key]
        assert opened(cookie) == {"csrf_token": "abc"}
    finally:
        app.secret_key, app.config["SECRET_KEY_FALLBACKS"] = old_key, old_fallbacks
    assert opened(cookie) == {"csrf_token": "abc"}
