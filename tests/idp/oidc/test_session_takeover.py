"""A login in a browser that already has a session (``prompt=login``, ``max_age``,
FranceConnect asking its identity provider, another person) takes that session over: the
logout that follows still ends everything issued before it.

The old session row used to be dropped: a person who logged in again (to a second service
asking ``prompt=login``) and then logged out kept the first service's refresh and access
tokens alive, and that service was never told.
"""

from __future__ import annotations

from helpers import (ACCOUNTS, csrf, exchange, login_flow, make_account, make_client, page_text, query,
                     token_request)


def tokens_of(http, client, **params):
    client_id, secret = client
    code = query(login_flow(http, "caf", client_id, **params))["code"]
    return exchange(http, "caf", client_id, secret, code).get_json()


def refresh(http, client, tokens):
    client_id, secret = client
    return token_request(http, "caf", client_id, secret,
                         {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})


def userinfo(http, tokens):
    return http.get("/caf/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"})


def log_out(http):
    page = page_text(http.get("/caf/logout"))
    assert http.post("/caf/logout", data={"csrf_token": csrf(page), "confirm": "yes"}).status_code == 200


def session_rows(app):
    from idp.store.db import db
    from idp.store.models import SsoSession

    with app.app_context():
        return [(row.account_id, row.sid, sorted(row.client_ids or []))
                for row in db.session.execute(db.select(SsoSession)).scalars()]


def test_a_new_login_of_the_same_person_continues_the_session_the_logout_ends(http, app):
    make_account(app, "caf")
    first, second = make_client(app, "caf", first_party=True), make_client(app, "caf", first_party=True)
    before = tokens_of(http, first)
    [(_, sid, _)] = session_rows(app)
    tokens_of(http, second, prompt="login")                    # the login form again, same person
    assert session_rows(app) == [(session_rows(app)[0][0], sid, sorted([first[0], second[0]]))]
    log_out(http)
    assert refresh(http, first, before).get_json()["error"] == "invalid_grant"
    assert userinfo(http, before).status_code == 401
    assert session_rows(app) == []


def test_another_person_logging_in_ends_the_previous_persons_session(http, app):
    make_account(app, "caf")
    make_account(app, "caf", identifier="2900569123456", email="louise@example.fr")
    client = make_client(app, "caf", first_party=True)
    before = tokens_of(http, client)
    after = tokens_of(http, client, prompt="login", identifier="2900569123456", password=ACCOUNTS["caf"][1])
    assert refresh(http, client, before).get_json()["error"] == "invalid_grant"
    assert userinfo(http, before).status_code == 401
    assert userinfo(http, after).status_code == 200
    [(account_id, _, clients)] = session_rows(app)
    assert userinfo(http, after).get_json()["sub"] == account_id and clients == [client[0]]
