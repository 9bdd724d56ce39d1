"""RP-Initiated Logout 1.0 and Back-Channel Logout 1.0."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
import requests_mock
from joserfc import jwt
from joserfc.jwk import KeySet

from helpers import POST_LOGOUT, authorize, code_tokens, csrf, location, make_client, query

EVENT = "http://schemas.openid.net/event/backchannel-logout"


def logout(http, **params):
    return http.get("/caf/logout?" + urlencode(params))


def test_logout_with_hint_redirects_with_state_and_ends_session(http, app):
    client_id, _, tokens = code_tokens(http, app)
    response = logout(http, id_token_hint=tokens["id_token"], post_logout_redirect_uri=POST_LOGOUT, state="s1")
    assert location(response) == POST_LOGOUT + "?state=s1"
    assert query(location(authorize(http, "caf", client_id, prompt="none")))["error"] == "login_required"
    assert http.get("/caf/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}).status_code == 401


def test_logout_keeps_query_of_registered_uri(http, app):
    uri = "https://rp.example/bye?from=idp"
    client_id, _, tokens = code_tokens(http, app, post_logout_redirect_uris=[uri])
    assert location(logout(http, id_token_hint=tokens["id_token"], post_logout_redirect_uri=uri, state="x")) == uri + "&state=x"


def test_logout_without_state(http, app):
    _, _, tokens = code_tokens(http, app)
    assert location(logout(http, id_token_hint=tokens["id_token"], post_logout_redirect_uri=POST_LOGOUT)) == POST_LOGOUT


def test_unregistered_post_logout_uri_is_an_error_page(http, app):
    client_id, _, tokens = code_tokens(http, app)
    response = logout(http, id_token_hint=tokens["id_token"], post_logout_redirect_uri="https://evil.example/")
    assert response.status_code == 400 and "Location" not in response.headers
    assert "n'est pas valide" in response.get_data(as_text=True)
    # the session is untouched
    assert query(location(authorize(http, "caf", client_id, prompt="none")))["code"]


def test_post_logout_uri_without_hint_nor_client_is_an_error(http, app):
    response = logout(http, post_logout_redirect_uri=POST_LOGOUT)
    assert response.status_code == 400
    assert "needs" in response.get_data(as_text=True)


def test_bad_id_token_hint_is_an_error_page(http, app):
    response = logout(http, id_token_hint="e30.e30.c2ln", post_logout_redirect_uri=POST_LOGOUT)
    assert response.status_code == 400 and "Location" not in response.headers
    assert "invalid_request" in response.get_data(as_text=True)


def test_modified_id_token_hint_refused(http, app):
    _, _, tokens = code_tokens(http, app)
    head, body, sig = tokens["id_token"].split(".")
    tampered = ".".join([head, body, sig[:-4] + ("AAAA" if not sig.endswith("AAAA") else "BBBB")])
    response = logout(http, id_token_hint=tampered, post_logout_redirect_uri=POST_LOGOUT)
    assert response.status_code == 400


def test_logout_without_hint_asks_confirmation(http, app):
    client_id, _, _ = code_tokens(http, app)
    page = logout(http, post_logout_redirect_uri=POST_LOGOUT, client_id=client_id, state="s")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Voulez-vous vous déconnecter ?" in html
    done = http.post("/caf/logout", data={"csrf_token": csrf(html), "confirm": "yes", "state": "s",
                                          "post_logout_redirect_uri": POST_LOGOUT, "client_id": client_id})
    assert location(done) == POST_LOGOUT + "?state=s"  # confirmed by the person
    assert query(location(authorize(http, "caf", client_id, prompt="none")))["error"] == "login_required"


def test_logout_confirmation_requires_csrf(http, app):
    client_id, _, _ = code_tokens(http, app)
    forged = http.post("/caf/logout", data={"confirm": "yes", "client_id": client_id})
    assert forged.status_code == 200 and "Voulez-vous vous déconnecter ?" in forged.get_data(as_text=True)
    assert query(location(authorize(http, "caf", client_id, prompt="none")))["code"]


def test_backchannel_logout_token_sent(http, app):
    uri = "https://rp.example/backchannel"
    with requests_mock.Mocker() as mock:
        mock.post(uri, status_code=200)
        client_id, _, tokens = code_tokens(http, app, backchannel_logout_uri=uri)
        logout(http, id_token_hint=tokens["id_token"], post_logout_redirect_uri=POST_LOGOUT)
        _join(http)
        assert mock.call_count == 1
        assert _deliveries(app) == []          # delivered: nothing left owed
        token = dict(pair.split("=", 1) for pair in mock.request_history[0].text.split("&"))["logout_token"]
    keys = KeySet.import_key_set(http.get("/caf/jwks.json").get_json())
    decoded = jwt.decode(token, keys)
    id_claims = jwt.decode(tokens["id_token"], keys).claims
    claims = decoded.claims
    assert decoded.header["typ"] == "logout+jwt"
    assert claims["events"] == {EVENT: {}} and "nonce" not in claims
    assert claims["sid"] == id_claims["sid"] and claims["sub"] == id_claims["sub"]
    assert claims["aud"] == client_id and claims["iss"] == "http://idp.test/caf" and claims["jti"]


def test_backchannel_retries_on_failure_without_blocking(http, app):
    uri = "https://rp.example/backchannel"
    with requests_mock.Mocker() as mock:
        mock.post(uri, [{"status_code": 503}, {"status_code": 500}, {"status_code": 200}])
        _, _, tokens = code_tokens(http, app, backchannel_logout_uri=uri)
        response = logout(http, id_token_hint=tokens["id_token"], post_logout_redirect_uri=POST_LOGOUT)
        assert response.status_code == 302  # the browser did not wait for delivery
        _join(http)
        assert mock.call_count == 3


def _join(http):
    import threading

    for thread in threading.enumerate():
        if thread.name.startswith("backchannel-"):
            thread.join(timeout=10)


def _deliveries(app):
    from idp.store.db import db
    from idp.store.models import BackchannelDelivery

    with app.app_context():
        return db.session.execute(db.select(BackchannelDelivery)).scalars().all()


def _age(app, **times):
    from datetime import timedelta

    from idp.store.db import db, utcnow
    from idp.store.models import BackchannelDelivery

    with app.app_context():
        for row in db.session.execute(db.select(BackchannelDelivery)).scalars():
            for name, seconds in times.items():
                setattr(row, name, utcnow() - timedelta(seconds=seconds))
        db.session.commit()


def test_undelivered_backchannel_logout_is_kept_and_sent_later(http, app, runner):
    """The client is down for the three immediate tries: the logout stays owed (it would
    survive a restart), and `idp backchannel deliver` sends it with a fresh token."""
    import json
    import time

    uri = "https://rp.example/backchannel"
    with requests_mock.Mocker() as mock:
        mock.post(uri, status_code=503)
        client_id, _, tokens = code_tokens(http, app, backchannel_logout_uri=uri)
        logout(http, id_token_hint=tokens["id_token"], post_logout_redirect_uri=POST_LOGOUT)
        _join(http)
        assert mock.call_count == 3
    [owed] = _deliveries(app)
    assert (owed.client_id, owed.attempts, owed.last_error) == (client_id, 3, "status 503")
    with requests_mock.Mocker() as mock:
        mock.post(uri, status_code=200)
        not_yet = json.loads(runner.invoke(args=["backchannel", "deliver", "--json"]).output)
        assert not_yet == {"sent": 0, "failed": 0, "abandoned": 0} and mock.call_count == 0   # pausing
        _age(app, next_attempt_at=1, created_at=600)
        sent = json.loads(runner.invoke(args=["backchannel", "deliver", "--json"]).output)
        assert sent == {"sent": 1, "failed": 0, "abandoned": 0} and mock.call_count == 1
        token = dict(pair.split("=", 1) for pair in mock.request_history[0].text.split("&"))["logout_token"]
    claims = jwt.decode(token, KeySet.import_key_set(http.get("/caf/jwks.json").get_json())).claims
    assert claims["exp"] > time.time() and claims["aud"] == client_id and claims["events"] == {EVENT: {}}
    assert _deliveries(app) == []


def test_backchannel_logout_abandoned_after_a_day(http, app, runner):
    import json

    uri = "https://rp.example/backchannel"
    with requests_mock.Mocker() as mock:
        mock.post(uri, status_code=503)
        _, _, tokens = code_tokens(http, app, backchannel_logout_uri=uri)
        logout(http, id_token_hint=tokens["id_token"], post_logout_redirect_uri=POST_LOGOUT)
        _join(http)
        _age(app, next_attempt_at=1, created_at=2 * 86400)
        result = json.loads(runner.invoke(args=["backchannel", "deliver", "--json"]).output)
        assert result == {"sent": 0, "failed": 0, "abandoned": 1} and mock.call_count == 3
    assert _deliveries(app) == []


def test_cron_does_not_send_what_the_logout_thread_holds(http, app, runner):
    """The logout's thread holds its deliveries: a `deliver` run meanwhile leaves them alone,
    so the client gets one logout token, not two."""
    import json

    uri = "https://rp.example/backchannel"
    with requests_mock.Mocker() as mock:
        mock.post(uri, status_code=200)
        _, _, tokens = code_tokens(http, app, backchannel_logout_uri=uri)
        logout(http, id_token_hint=tokens["id_token"], post_logout_redirect_uri=POST_LOGOUT)
        meanwhile = json.loads(runner.invoke(args=["backchannel", "deliver", "--json"]).output)
        _join(http)
        assert meanwhile["sent"] == 0 and mock.call_count == 1
    assert _deliveries(app) == []


def test_a_logout_that_dies_midway_ends_nothing(http, app, monkeypatch):
    """The session's end, its tokens' revocation and the deliveries owed are one transaction:
    a crash in between used to leave the session ended and its tokens alive."""
    def died(*args, **kwargs):
        raise RuntimeError("the worker died here")

    client_id, _, tokens = code_tokens(http, app)
    with monkeypatch.context() as patched:
        patched.setattr("idp.oidc.logout.owe", died)
        with pytest.raises(RuntimeError):
            logout(http, id_token_hint=tokens["id_token"])
    assert query(location(authorize(http, "caf", client_id, prompt="none")))["code"]  # still logged in
    assert http.get("/caf/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}).status_code == 200
