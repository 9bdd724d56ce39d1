"""oidcc-backchannel-rp-initiated-logout-certification-test-plan."""

from __future__ import annotations

import threading
from urllib.parse import parse_qs, urlencode

import requests_mock
from joserfc import jwt

from conformance_op import OP
from helpers import POST_LOGOUT, location, make_client

EVENT = "http://schemas.openid.net/event/backchannel-logout"
BACKCHANNEL = "https://rp.example/backchannel"


def _wait():
    for thread in threading.enumerate():
        if thread.name.startswith("backchannel-"):
            thread.join(timeout=10)


def _logout_token(op, mock):
    assert mock.call_count >= 1
    request = mock.request_history[-1]
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    return parse_qs(request.text)["logout_token"][0]


def test_oidcc_backchannel_rp_initiated_logout(app, http):
    with requests_mock.Mocker() as mock:
        mock.post(BACKCHANNEL, status_code=204)
        op = OP(app, http, backchannel_logout_uri=BACKCHANNEL)
        tokens = op.tokens()
        response = http.get("/caf/logout?" + urlencode({"id_token_hint": tokens["id_token"],
                                                         "post_logout_redirect_uri": POST_LOGOUT, "state": "s"}))
        assert location(response) == POST_LOGOUT + "?state=s"
        _wait()
        token = _logout_token(op, mock)
    decoded = jwt.decode(token, op.keys())
    claims, id_claims = decoded.claims, op.id_token(tokens)
    # Back-Channel Logout 1.0 §2.4 and §2.6
    assert decoded.header["typ"] == "logout+jwt" and decoded.header["alg"] != "none"
    assert claims["iss"] == op.issuer and claims["aud"] == op.client_id
    assert claims["sub"] == id_claims["sub"] and claims["sid"] == id_claims["sid"]
    assert claims["events"] == {EVENT: {}} and "nonce" not in claims
    assert {"iat", "exp", "jti"} <= set(claims)


def test_oidcc_backchannel_rp_initiated_logout_retries_on_5xx(app, http):
    with requests_mock.Mocker() as mock:
        mock.post(BACKCHANNEL, [{"status_code": 500}, {"status_code": 200}])
        op = OP(app, http, backchannel_logout_uri=BACKCHANNEL)
        tokens = op.tokens()
        http.get("/caf/logout?" + urlencode({"id_token_hint": tokens["id_token"]}))
        _wait()
        assert mock.call_count == 2


def test_oidcc_backchannel_only_clients_of_the_session_are_told(app, http):
    with requests_mock.Mocker() as mock:
        mock.post(BACKCHANNEL, status_code=200)
        mock.post("https://other.example/bc", status_code=200)
        make_client(app, "caf", backchannel_logout_uri="https://other.example/bc")  # never used
        op = OP(app, http, backchannel_logout_uri=BACKCHANNEL)
        tokens = op.tokens()
        http.get("/caf/logout?" + urlencode({"id_token_hint": tokens["id_token"]}))
        _wait()
        assert [r.url for r in mock.request_history] == [BACKCHANNEL]
