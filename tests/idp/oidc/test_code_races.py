"""Races and faults around an authorization code (issue 12), the races on a served instance
with real threads: simultaneous redemptions have one winner whose tokens die with the
replay; a logout voids the codes of its session, even one being redeemed at that instant;
a crash never leaves a code burnt without its tokens."""

from __future__ import annotations

import pytest
import requests

from helpers import REDIRECT, authorize, code_tokens, exchange, location, login_flow, make_account, make_client, pkce_pair, query
from live import at_once, served  # noqa: F401  (fixture)

def crash(*args, **kwargs):
    raise RuntimeError("the worker died here")


USED = {"error": "invalid_grant", "error_description": "The authorization code has already been used."}


def fresh_code(http, app):
    client_id, secret = make_client(app, first_party=True)
    make_account(app)
    verifier, challenge = pkce_pair()
    url = login_flow(http, "caf", client_id, code_challenge=challenge, code_challenge_method="S256")
    return client_id, secret, query(url)["code"], verifier


def redeem(base, client_id, secret, code, verifier):
    return requests.post(f"{base}/caf/token", auth=(client_id, secret), timeout=30, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier})


def refresh(base, client_id, secret, token):
    return requests.post(f"{base}/caf/token", auth=(client_id, secret), timeout=30,
                         data={"grant_type": "refresh_token", "refresh_token": token})


def userinfo(base, access_token):
    return requests.get(f"{base}/caf/userinfo", headers={"Authorization": f"Bearer {access_token}"}, timeout=30)


def test_twenty_simultaneous_redemptions_have_one_winner_whose_tokens_are_revoked(http, app, served):
    client_id, secret, code, verifier = fresh_code(http, app)
    answers = at_once(20, lambda _: redeem(served, client_id, secret, code, verifier))
    assert sorted(a.status_code for a in answers) == [200] + [400] * 19
    assert [a.json() for a in answers if a.status_code == 400] == [USED] * 19
    won = next(a.json() for a in answers if a.status_code == 200)
    info = userinfo(served, won["access_token"])
    assert (info.status_code, info.json()["error_description"]) == (401, "the access token has been revoked")
    assert refresh(served, client_id, secret, won["refresh_token"]).json()["error"] == "invalid_grant"


def test_an_exchange_that_dies_before_its_tokens_are_written_leaves_the_code_unused(http, app, monkeypatch):
    """The burn and the tokens are one transaction: a code is never seen used without them
    (which is what let a replay at the same instant revoke nothing)."""
    client_id, secret, code, verifier = fresh_code(http, app)
    with monkeypatch.context() as patched:
        patched.setattr("idp.oidc.grants.record_user_tokens", crash)
        with pytest.raises(RuntimeError):
            exchange(http, "caf", client_id, secret, code, verifier)
    assert exchange(http, "caf", client_id, secret, code, verifier).status_code == 200


def sso_code(http, client_id):
    """Another code of the browser's SSO session (no login asked)."""
    return query(location(authorize(http, "caf", client_id, prompt="none")))["code"]


def test_a_code_issued_before_a_logout_does_not_redeem_after_it(http, app):
    client_id, secret, tokens = code_tokens(http, app)
    code = sso_code(http, client_id)
    assert http.get(f"/caf/logout?id_token_hint={tokens['id_token']}").status_code == 200
    assert exchange(http, "caf", client_id, secret, code).get_json() == {
        "error": "invalid_grant", "error_description": "The session of this authorization code has ended."}


def test_ending_a_session_voids_its_codes_before_the_session_row_goes(http, app):
    """What every end of a session calls (logout, /account) voids the codes first: a code
    cannot be redeemed while the session is being ended."""
    from flask import g

    from idp.oidc.tokens import revoke_session_tokens

    client_id, secret, tokens = code_tokens(http, app)
    code = sso_code(http, client_id)
    with app.test_request_context("/caf/"):
        g.tenant = app.extensions["idp_tenants"]["caf"]
        revoke_session_tokens(jwt_claims(tokens["id_token"])["sid"])
    assert exchange(http, "caf", client_id, secret, code).get_json() == {
        "error": "invalid_grant", "error_description": "The authorization code has expired."}


def jwt_claims(token):
    import base64
    import json

    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


@pytest.mark.parametrize("round_", range(3))
def test_a_logout_at_the_instant_a_code_is_redeemed_leaves_no_live_token(http, app, served, round_):
    client_id, secret, tokens = code_tokens(http, app)
    code, cookie = sso_code(http, client_id), http.get_cookie("idp_session", path="/caf/").value

    def send(i):
        if i == 0:
            return requests.get(f"{served}/caf/logout", params={"id_token_hint": tokens["id_token"]},
                                cookies={"idp_session": cookie}, timeout=30, allow_redirects=False)
        return redeem(served, client_id, secret, code, None)

    logout, redemption = at_once(2, send)
    assert logout.status_code == 200
    if redemption.status_code == 200:  # redeemed first: the logout found its tokens
        issued = redemption.json()
        assert userinfo(served, issued["access_token"]).json()["error_description"] == "the access token has been revoked"
        assert refresh(served, client_id, secret, issued["refresh_token"]).json()["error"] == "invalid_grant"
    else:
        assert redemption.json()["error"] == "invalid_grant"
        assert redemption.json()["error_description"] in (
            "The session of this authorization code has ended.", "The authorization code has expired.")


def test_the_burn_built_once_checks_each_code_at_its_own_redemption_in_its_own_tenant(http, app):
    """The burning UPDATE is built once per tenant with its values as parameters (issue 15):
    the instant a code is compared with its expiry is the redemption's, not the first
    redemption's that built the statement, and another tenant's statement burns its own codes."""
    from datetime import timedelta

    from idp.store.db import db, digest, utcnow
    from idp.store.models import AuthorizationCode

    client_id, secret, code, verifier = fresh_code(http, app)
    assert exchange(http, "caf", client_id, secret, code, verifier).status_code == 200   # builds it
    assert exchange(http, "caf", client_id, secret, code, verifier).get_json() == USED
    code = sso_code(http, client_id)
    with app.app_context():
        db.session.query(AuthorizationCode).filter_by(code_hash=digest(code)).update(
            {"expires_at": utcnow() - timedelta(seconds=1)})
        db.session.commit()
    assert exchange(http, "caf", client_id, secret, code).get_json() == {
        "error": "invalid_grant", "error_description": "The authorization code has expired."}
    client_id, secret, tokens = code_tokens(http, app, "ameli")
    assert "access_token" in tokens
