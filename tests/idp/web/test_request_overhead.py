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
