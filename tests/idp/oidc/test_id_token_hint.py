"""id_token_hint at logout and authorize: only an ID token of this issuer for the client, and
a logout hint naming another person or session asks the person first."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from helpers import (POST_LOGOUT, authorize, code_tokens, csrf, location, login_flow, make_account,
                     make_client, page_text, query)

NOT_AN_ID_TOKEN = "'id_token_hint' is not an ID token of this issuer."
OTHER_CLIENT = "'id_token_hint' was not issued to this client."
OTHER_PERSON = ("2840312345678", "Allocation2024")


def logout(browser, **params):
    return browser.get("/caf/logout?" + urlencode(params))


def logged_in(browser, client_id) -> bool:
    return "code" in query(location(authorize(browser, "caf", client_id, prompt="none")))


def id_claims(http, tokens) -> dict:
    keys = KeySet.import_key_set(http.get("/caf/jwks.json").get_json())
    return dict(jwt.decode(tokens["id_token"], keys).claims)


def resigned(app, claims: dict, typ: str | None, alg="RS256") -> str:
    """A token signed with the tenant's own keys, as the provider signs its other tokens."""
    from idp.store.keystore import keyring

    with app.test_request_context("/caf/"):
        return keyring("caf").sign(claims, alg, typ=typ)


def lookalikes(app, http, tokens, client_id):
    """Tokens this issuer signs (or could), each of which is not an ID token for the client."""
    claims = id_claims(http, tokens)
    no_auth_time = {k: v for k, v in claims.items() if k != "auth_time"}
    return {
        "access token": tokens["access_token"],
        "logout token": resigned(app, {**claims, "events": {"x": {}}}, "logout+jwt"),
        "explicitly typed as access token": resigned(app, claims, "at+jwt", "ES256"),
        "signed userinfo (no auth_time)": resigned(app, {**no_auth_time, "aud": client_id}, "JWT"),
    }


KINDS = ["access token", "logout token", "explicitly typed as access token", "signed userinfo (no auth_time)"]


@pytest.mark.parametrize("kind", KINDS)
def test_logout_refuses_a_token_that_is_not_an_id_token(http, app, kind, caplog):
    client_id, _, tokens = code_tokens(http, app)
    hint = lookalikes(app, http, tokens, client_id)[kind]
    response = logout(http, id_token_hint=hint, post_logout_redirect_uri=POST_LOGOUT)
    assert response.status_code == 400 and "Location" not in response.headers
    assert f"<code>invalid_request</code> – {NOT_AN_ID_TOKEN}" in page_text(response)
    audited = [json.loads(r.getMessage()) for r in caplog.records if r.name == "idp.audit"]
    assert {"event": "id_token_hint", "outcome": "failure", "reason": "not_an_id_token"}.items() <= audited[-1].items()
    assert logged_in(http, client_id)  # nothing ended


def test_logout_refuses_an_id_token_for_an_unknown_audience(http, app):
    client_id, _, tokens = code_tokens(http, app)
    hint = resigned(app, {**id_claims(http, tokens), "aud": ["not-a-client"]}, "JWT")
    response = logout(http, id_token_hint=hint, post_logout_redirect_uri=POST_LOGOUT)
    assert response.status_code == 400 and f"<code>invalid_request</code> – {OTHER_CLIENT}" in page_text(response)
    assert logged_in(http, client_id)


def test_logout_refuses_an_id_token_of_another_issuer(http, app):
    client_id, _, tokens = code_tokens(http, app)
    hint = resigned(app, {**id_claims(http, tokens), "iss": "http://idp.test/ameli"}, "JWT")
    response = logout(http, id_token_hint=hint, post_logout_redirect_uri=POST_LOGOUT)
    assert "<code>invalid_request</code> – 'id_token_hint' was issued by another issuer." in page_text(response)
    assert logged_in(http, client_id)


def test_logout_with_someone_elses_hint_asks_first(http, app):
    client_id, _, tokens = code_tokens(http, app)  # the first person, in this browser
    make_account(app, identifier=OTHER_PERSON[0], email="autre@example.fr")
    other = app.test_client()
    login_flow(other, "caf", client_id, identifier=OTHER_PERSON[0], password=OTHER_PERSON[1])
    page = logout(other, id_token_hint=tokens["id_token"], post_logout_redirect_uri=POST_LOGOUT, state="s")
    assert page.status_code == 200 and "Voulez-vous vous déconnecter ?" in page_text(page)
    assert logged_in(other, client_id)  # not ended by someone else's link
    params = {"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": POST_LOGOUT, "state": "s"}
    done = other.post("/caf/logout", data={**params, "confirm": "yes", "csrf_token": csrf(page_text(page))})
    assert location(done) == POST_LOGOUT + "?state=s"  # the person confirmed
    assert not logged_in(other, client_id)
    assert logged_in(http, client_id)  # the hinted person's own session is not this browser's


def test_logout_with_the_hint_of_an_earlier_session_asks_first(http, app):
    client_id, _, tokens = code_tokens(http, app)
    assert location(logout(http, id_token_hint=tokens["id_token"], post_logout_redirect_uri=POST_LOGOUT))
    login_flow(http, "caf", client_id)   # a new session, with a new sid (a login again, prompt=login,
    # would continue the same one: tests/idp/test_session_takeover.py)
    page = logout(http, id_token_hint=tokens["id_token"], post_logout_redirect_uri=POST_LOGOUT)
    assert page.status_code == 200 and "Voulez-vous vous déconnecter ?" in page_text(page)
    assert logged_in(http, client_id)


def test_logout_with_the_current_sessions_hint_does_not_ask(http, app):
    client_id, _, tokens = code_tokens(http, app)
    assert location(logout(http, id_token_hint=tokens["id_token"], post_logout_redirect_uri=POST_LOGOUT)) == POST_LOGOUT
    assert not logged_in(http, client_id)


@pytest.mark.parametrize("kind", KINDS)
def test_authorize_refuses_a_token_that_is_not_an_id_token(http, app, kind):
    client_id, _, tokens = code_tokens(http, app)
    hint = lookalikes(app, http, tokens, client_id)[kind]
    params = query(location(authorize(http, "caf", client_id, prompt="none", id_token_hint=hint)))
    assert params["error"] == "invalid_request" and params["error_description"] == NOT_AN_ID_TOKEN


def test_authorize_refuses_the_id_token_of_another_client(http, app):
    first, _, tokens = code_tokens(http, app)
    second, _ = make_client(app, first_party=True)
    params = query(location(authorize(http, "caf", second, prompt="none", id_token_hint=tokens["id_token"])))
    assert params["error"] == "invalid_request" and params["error_description"] == OTHER_CLIENT
    assert query(location(authorize(http, "caf", first, prompt="none", id_token_hint=tokens["id_token"])))["code"]
