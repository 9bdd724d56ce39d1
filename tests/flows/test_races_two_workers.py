"""The races of issue 12 against the provider served as in production: ``idp serve`` with two
gunicorn workers on PostgreSQL and Redis (tests/workers.py), real threads released together.
The Werkzeug-threaded suites (tests/idp/test_code_races.py, test_refresh_grace.py,
test_interaction_races.py) race threads of one process; here the racers land in two
processes, whose only common ground is the database and Redis, as behind a load balancer.
One server start serves every race of this module."""

from __future__ import annotations

import re

import pytest
import requests

from helpers import (REDIRECT, authorize, code_tokens, csrf, location, login_flow, make_account, make_client,
                     page_text, path_of, pkce_pair, query, submit_login)
from live import at_once
from support import POSTGRES_URL, REDIS_URL, forget_counters
from workers import two_workers  # noqa: F401  (fixture)

pytestmark = [pytest.mark.skipif(not (POSTGRES_URL and REDIS_URL), reason="two workers share PostgreSQL and Redis: "
                                 "set IDP_TEST_POSTGRES_URL and IDP_TEST_REDIS_URL (.ci/run does)"),
              pytest.mark.parametrize("backend", ["postgresql"], indirect=True)]

USED = {"error": "invalid_grant", "error_description": "The authorization code has already been used."}
REVOKED = "the access token has been revoked"


def token(base, client_id, secret, **data):
    return requests.post(f"{base}/caf/token", auth=(client_id, secret), data=data, timeout=30)


def userinfo(base, access_token):
    return requests.get(f"{base}/caf/userinfo", headers={"Authorization": f"Bearer {access_token}"}, timeout=30)


def cookies(browser, names: dict[str, str]) -> dict:
    """The test client's cookies ``{name: path}``, as a browser would send them to the workers."""
    return {name: browser.get_cookie(name, path=path).value for name, path in names.items()
            if browser.get_cookie(name, path=path) is not None}


def test_twenty_redemptions_of_one_code_have_one_winner_whose_tokens_die(http, app, two_workers):
    client_id, secret = make_client(app, first_party=True)
    make_account(app)
    verifier, challenge = pkce_pair()
    code = query(login_flow(http, "caf", client_id, code_challenge=challenge, code_challenge_method="S256"))["code"]
    answers = at_once(20, lambda _: token(two_workers, client_id, secret, grant_type="authorization_code",
                                          code=code, redirect_uri=REDIRECT, code_verifier=verifier))
    assert sorted(a.status_code for a in answers) == [200] + [400] * 19
    assert [a.json() for a in answers if a.status_code == 400] == [USED] * 19
    won = next(a.json() for a in answers if a.status_code == 200)
    assert userinfo(two_workers, won["access_token"]).json()["error_description"] == REVOKED
    assert token(two_workers, client_id, secret, grant_type="refresh_token",
                 refresh_token=won["refresh_token"]).json()["error"] == "invalid_grant"


def test_refreshes_from_several_processes_get_one_successor(http, app, two_workers):
    client_id, secret, tokens = code_tokens(http, app)
    answers = at_once(6, lambda _: token(two_workers, client_id, secret, grant_type="refresh_token",
                                         refresh_token=tokens["refresh_token"]))
    assert [a.status_code for a in answers] == [200] * 6
    successors = {a.json()["refresh_token"] for a in answers}
    assert len(successors) == 1
    assert all(userinfo(two_workers, a.json()["access_token"]).status_code == 200 for a in answers)
    assert token(two_workers, client_id, secret, grant_type="refresh_token",
                 refresh_token=successors.pop()).status_code == 200


def test_a_code_redeemed_at_the_instant_of_its_logout_leaves_no_live_token(http, app, two_workers):
    client_id, secret, tokens = code_tokens(http, app)
    code = query(location(authorize(http, "caf", client_id, prompt="none")))["code"]
    session = cookies(http, {"idp_session": "/caf/"})

    def send(i):
        if i == 0:
            return requests.get(f"{two_workers}/caf/logout", params={"id_token_hint": tokens["id_token"]},
                                cookies=session, timeout=30, allow_redirects=False)
        return token(two_workers, client_id, secret, grant_type="authorization_code", code=code, redirect_uri=REDIRECT)

    logout, redemption = at_once(2, send)
    assert logout.status_code == 200
    if redemption.status_code == 200:   # redeemed first: the logout revoked what it gave
        assert userinfo(two_workers, redemption.json()["access_token"]).json()["error_description"] == REVOKED
    else:
        assert redemption.json()["error"] == "invalid_grant"
    again = token(two_workers, client_id, secret, grant_type="authorization_code", code=code, redirect_uri=REDIRECT)
    assert again.json()["error"] == "invalid_grant"


def test_simultaneous_consents_land_on_one(http, app, two_workers):
    from idp.store.db import db
    from idp.store.models import Consent

    client_id, _ = make_client(app)
    account_id = make_account(app)
    consent_url = location(submit_login(http, location(authorize(http, "caf", client_id, scope="openid profile")),
                                        "1840312345678", "Allocation2024"))
    form = {"csrf_token": csrf(http.get(path_of(consent_url)).get_data(as_text=True)), "decision": "allow"}
    sent = cookies(http, {"idp_session": "/caf/", "idp_interaction": "/caf/", "session": "/"})
    answers = at_once(8, lambda _: requests.post(two_workers + path_of(consent_url), data=form, cookies=sent,
                                                 timeout=30, allow_redirects=False))
    assert [a.status_code for a in answers] == [302] * 8
    with app.app_context():
        rows = db.session.execute(db.select(Consent).where(Consent.account_id == account_id)).scalars().all()
        assert [row.client_id for row in rows] == [client_id]


# -- simultaneous signups with one identifier -------------------------------------------------

SIGNUPS = 4


def signups_racing(app, base, prepare, tenant: str, step: str, form: dict):
    """``SIGNUPS`` browsers, each brought to ``step`` by ``prepare(browser, i)``, send it at once."""
    browsers = []
    for i in range(SIGNUPS):
        browser = app.test_client()
        browser.environ_base["REMOTE_ADDR"] = f"192.0.2.{i + 10}"
        prepare(browser, i)
        page = browser.get(f"/{tenant}/signup/{step}")
        assert page.status_code == 200, page_text(page)[:300]
        browsers.append((cookies(browser, {"idp_signup": f"/{tenant}/", "session": "/"}), csrf(page_text(page))))
    forget_counters(app)   # the journeys spent the NIR's answers ([signup_limits]): the race is what is tested
    return at_once(SIGNUPS, lambda i: requests.post(
        f"{base}/{tenant}/signup/{step}", data={"csrf_token": browsers[i][1], **form},
        cookies=browsers[i][0], timeout=30, allow_redirects=False))


def accounts(app, tenant):
    from idp.store.db import db
    from idp.store.models import Account

    with app.app_context():
        return db.session.execute(db.select(db.func.count()).select_from(Account).where(Account.tenant == tenant)).scalar()


def test_simultaneous_mairie_signups_with_one_username(app, two_workers):
    from test_signup_mairie import signup_until_activation

    answers = signups_racing(app, two_workers, lambda browser, i: signup_until_activation(browser, identifier="elodie.durand"),
                             "mairie", "activation", {"channel": "sms"})
    won = [a for a in answers if a.status_code == 302]
    assert len(won) == 1 and won[0].headers["Location"].endswith("/mairie/signup/activation/code")
    for lost in (a for a in answers if a.status_code != 302):
        assert lost.status_code == 400
        text = page_text_of(lost)
        assert "Cet identifiant est déjà pris. Suggestion : elodie.durand2" in text
        assert re.search(r'name="identifier" type="text" value="elodie.durand"', text)   # what they typed
    assert accounts(app, "mairie") == 1


def page_text_of(response) -> str:
    import html

    return html.unescape(response.text)


def test_simultaneous_caf_signups_with_one_nir(app, two_workers):
    from test_signup_existing_accounts import CAF_TAKEN, caf_until_recap

    answers = signups_racing(app, two_workers, lambda browser, i: caf_until_recap(browser, app), "caf", "recapitulatif", {})
    assert sorted(a.status_code for a in answers) == [200] + [400] * (SIGNUPS - 1)
    for lost in (a for a in answers if a.status_code == 400):
        assert CAF_TAKEN in page_text_of(lost)
    assert accounts(app, "caf") == 1


def test_simultaneous_ameli_signups_with_one_nir(app, two_workers):
    from test_signup_ameli import ACCESS, CODE, IDENTITY, post
    from test_signup_existing_accounts import AMELI_TAKEN

    def prepare(browser, i):
        browser.get("/ameli/signup")
        for step, data in (("identite", IDENTITY), ("acces", ACCESS), ("conditions", {"cgu": "on", "rgpd": "on"}),
                           ("code-personnel", {"password": CODE, "password_repeat": CODE}),
                           ("email", {"email": "pierre.martin@example.fr"})):
            assert location(post(browser, step, data))

    answers = signups_racing(app, two_workers, prepare, "ameli", "activation", {"channel": "email"})
    assert sorted(a.status_code for a in answers) == [302] + [400] * (SIGNUPS - 1)
    for lost in (a for a in answers if a.status_code == 400):
        assert AMELI_TAKEN in page_text_of(lost)
    assert accounts(app, "ameli") == 1


@pytest.mark.parametrize("round_", range(3))
def test_a_double_click_on_the_last_step_is_one_account(app, two_workers, round_):
    """The same signup sent twice at once (a double click): one account, no error for either.
    Its requests take turns (the signup row is locked): the second finds the signup ended
    and starts anew, or (having lost the INSERT) goes to /account."""
    from test_signup_existing_accounts import caf_until_recap

    browser = app.test_client()
    caf_until_recap(browser, app)
    page = browser.get("/caf/signup/recapitulatif")
    sent = cookies(browser, {"idp_signup": "/caf/", "session": "/"})
    answers = at_once(2, lambda _: requests.post(f"{two_workers}/caf/signup/recapitulatif", cookies=sent,
                                                 data={"csrf_token": csrf(page_text(page))}, timeout=30,
                                                 allow_redirects=False))
    assert sorted(a.status_code for a in answers) == [200, 302]
    assert next(a for a in answers if a.status_code == 302).headers["Location"] in ("/caf/signup", "/caf/account")
    assert accounts(app, "caf") == 1


def test_a_double_click_on_activation_sends_one_code(app, two_workers):
    from messages_support import messages
    from test_signup_mairie import signup_until_activation

    browser = app.test_client()
    signup_until_activation(browser)
    page = browser.get("/mairie/signup/activation")
    sent = cookies(browser, {"idp_signup": "/mairie/", "session": "/"})
    answers = at_once(2, lambda _: requests.post(f"{two_workers}/mairie/signup/activation", cookies=sent,
                                                 data={"csrf_token": csrf(page_text(page)), "channel": "sms"},
                                                 timeout=30, allow_redirects=False))
    assert [a.status_code for a in answers] == [302, 302]
    assert {a.headers["Location"] for a in answers} == {"/mairie/signup/activation/code"}
    assert accounts(app, "mairie") == 1 and len(messages(app, "sms")) == 1


def test_simultaneous_franceconnect_accounts_with_one_username(app, two_workers):
    """Two people back from FranceConnect choose the same mairie username at once: one
    account; the other gets the page again with what was typed, not another's link."""
    from franceconnect_support import franceconnect_for, press_button, through_franceconnect

    forms = []
    with franceconnect_for(app):
        for person in ("elodie", "jean-noel"):
            browser = app.test_client()
            back = through_franceconnect(browser, press_button(browser, "mairie", page_text(
                browser.get("/mairie/login")), None), person)
            assert location(back).endswith("/mairie/franceconnect/complete")
            html = page_text(browser.get("/mairie/franceconnect/complete"))
            email = re.search(r'id="email" name="email" type="email" value="([^"]*)"', html).group(1)
            forms.append((cookies(browser, {"idp_franceconnect": "/mairie/", "session": "/"}),
                          {"csrf_token": csrf(html), "cgu": "on", "email": email, "identifier": "camille.commune"}))
        answers = at_once(2, lambda i: requests.post(f"{two_workers}/mairie/franceconnect/complete", data=forms[i][1],
                                                     cookies=forms[i][0], timeout=30, allow_redirects=False))
    assert sorted(a.status_code for a in answers) == [302, 400]
    lost = page_text_of(next(a for a in answers if a.status_code == 400))
    assert "Cet identifiant est déjà pris." in lost and 'value="camille.commune"' in lost
    assert accounts(app, "mairie") == 1
