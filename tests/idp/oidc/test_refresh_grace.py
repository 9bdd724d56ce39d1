"""Refresh-token rotation grace period (issue 12): a relying party refreshing from several
processes at once (mod_auth_openidc) gets one successor; reuse after the period, or once
the successor was used, still revokes the family; 0 turns the period off."""

from __future__ import annotations

import requests

from helpers import code_tokens, past_refresh_grace, token_request
from live import at_once, served  # noqa: F401  (fixture)

REUSED = {"error": "invalid_grant", "error_description": "The refresh token has already been used."}


def refresh(http, client_id, secret, token):
    return token_request(http, "caf", client_id, secret, {"grant_type": "refresh_token", "refresh_token": token})


def family_size(app, client_id) -> int:
    from idp.store.db import db
    from idp.store.models import RefreshToken

    with app.app_context():
        return len(db.session.execute(db.select(RefreshToken.id).where(RefreshToken.client_id == client_id)).all())


def test_simultaneous_refreshes_from_one_client_get_the_same_successor(http, app, served):
    client_id, secret, tokens = code_tokens(http, app)
    answers = at_once(6, lambda _: requests.post(
        f"{served}/caf/token", auth=(client_id, secret), timeout=30,
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}))
    assert [a.status_code for a in answers] == [200] * 6
    successors = {a.json()["refresh_token"] for a in answers}
    assert len(successors) == 1 and tokens["refresh_token"] not in successors
    assert family_size(app, client_id) == 2  # the first token and one successor, not six
    for answer in answers:  # each process got its own access token, all of the same family
        info = http.get("/caf/userinfo", headers={"Authorization": f"Bearer {answer.json()['access_token']}"})
        assert info.status_code == 200
    assert refresh(http, client_id, secret, successors.pop()).status_code == 200


def test_reuse_after_the_grace_period_revokes_the_family(http, app, monkeypatch):
    client_id, secret, tokens = code_tokens(http, app)
    within = [refresh(http, client_id, secret, tokens["refresh_token"]).get_json() for _ in range(2)]
    assert within[0]["refresh_token"] == within[1]["refresh_token"]
    past_refresh_grace(monkeypatch, app)
    assert refresh(http, client_id, secret, tokens["refresh_token"]).get_json() == REUSED
    assert refresh(http, client_id, secret, within[0]["refresh_token"]).get_json() == {"error": "invalid_grant"}
    for issued in within:
        info = http.get("/caf/userinfo", headers={"Authorization": f"Bearer {issued['access_token']}"})
        assert info.get_json()["error_description"] == "the access token has been revoked"


def test_reuse_once_the_successor_was_used_revokes_the_family_within_the_period(http, app):
    client_id, secret, tokens = code_tokens(http, app)
    successor = refresh(http, client_id, secret, tokens["refresh_token"]).get_json()["refresh_token"]
    latest = refresh(http, client_id, secret, successor).get_json()["refresh_token"]
    assert refresh(http, client_id, secret, tokens["refresh_token"]).get_json() == REUSED
    assert refresh(http, client_id, secret, latest).get_json() == {"error": "invalid_grant"}


def test_a_logout_ends_the_grace_period(http, app):
    client_id, secret, tokens = code_tokens(http, app)
    assert refresh(http, client_id, secret, tokens["refresh_token"]).status_code == 200
    assert http.get(f"/caf/logout?id_token_hint={tokens['id_token']}").status_code == 200
    assert refresh(http, client_id, secret, tokens["refresh_token"]).get_json() == {"error": "invalid_grant"}


def test_a_grace_period_of_zero_turns_it_off(http, app):
    from idp.app import create_app

    settings = app.config["IDP_SETTINGS"]
    without = settings.model_copy(update={"tokens": settings.tokens.model_copy(
        update={"refresh_rotation_grace_period": 0})})
    other = create_app({"TESTING": True}, settings=without).test_client()  # a worker so configured
    client_id, secret, tokens = code_tokens(http, app)
    successor = refresh(other, client_id, secret, tokens["refresh_token"]).get_json()["refresh_token"]
    assert refresh(other, client_id, secret, tokens["refresh_token"]).get_json() == REUSED
    assert refresh(other, client_id, secret, successor).get_json() == {"error": "invalid_grant"}
