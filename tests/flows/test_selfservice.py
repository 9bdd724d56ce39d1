"""Self-service at {issuer}/account, direct login and "Se souvenir de moi"."""

from __future__ import annotations

import json

from helpers import ACCOUNTS, authorize, csrf, location, make_account, page_text, query


def direct_login(http, tenant="caf", remember=False):
    identifier, password = ACCOUNTS[tenant]
    page = http.get(f"/{tenant}/login").get_data(as_text=True)
    data = {"csrf_token": csrf(page), "identifier": identifier, "password": password}
    if remember:
        data["remember"] = "on"
    return http.post(f"/{tenant}/login", data=data)


def test_account_page_needs_login_and_masks_the_nir(http, app):
    make_account(app)
    assert location(http.get("/caf/account")).endswith("/caf/login")
    assert location(direct_login(http)).endswith("/caf/account")
    html = http.get("/caf/account").get_data(as_text=True)
    assert "1 84 03 ** *** ***" in html and "1840312345678" not in html
    assert "camille@example.fr" in html


def test_remember_me_keeps_identifier_not_password(http, app):
    make_account(app)
    response = direct_login(http, remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    remember = next(c for c in cookies if c.startswith("idp_remember="))
    assert "1840312345678" not in remember and "Allocation2024" not in remember
    session_cookie = next(c for c in cookies if c.startswith("idp_session="))
    assert "Max-Age=2592000" in session_cookie
    page = http.get("/caf/login").get_data(as_text=True)
    assert 'value="1840312345678"' in page and 'id="remember" name="remember" checked' in page


def test_change_password(http, app):
    make_account(app)
    direct_login(http)
    page = http.get("/caf/account").get_data(as_text=True)
    wrong = http.post("/caf/account/password", data={"csrf_token": csrf(page), "current_password": "nope",
                                                     "new_password": "Nouveau2026Mdp", "new_password_repeat": "Nouveau2026Mdp"})
    assert wrong.status_code == 400 and "Le mot de passe actuel est incorrect." in wrong.get_data(as_text=True)
    weak = http.post("/caf/account/password", data={"csrf_token": csrf(page), "current_password": "Allocation2024",
                                                    "new_password": "court", "new_password_repeat": "court"})
    assert weak.status_code == 400 and 'id="new_password-error"' in weak.get_data(as_text=True)
    ok = http.post("/caf/account/password", data={"csrf_token": csrf(page), "current_password": "Allocation2024",
                                                  "new_password": "Nouveau2026Mdp", "new_password_repeat": "Nouveau2026Mdp"})
    assert location(ok).endswith("/caf/account?done=password")
    other = app.test_client()
    page = other.get("/caf/login").get_data(as_text=True)
    old = other.post("/caf/login", data={"csrf_token": csrf(page), "identifier": "1840312345678", "password": "Allocation2024"})
    assert "Identifiant ou mot de passe incorrect." in old.get_data(as_text=True)


def test_revoke_consent_revokes_tokens(http, app):
    client_id, secret, tokens = _consented(http, app)
    page = http.get("/caf/account").get_data(as_text=True)
    assert "RP de test" in page
    response = http.post(f"/caf/account/consents/{client_id}/revoke", data={"csrf_token": csrf(page)})
    assert location(response).endswith("done=consent")
    from helpers import token_request

    refreshed = token_request(http, "caf", client_id, secret, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert refreshed.get_json()["error"] == "invalid_grant"
    assert location(authorize(http, "caf", client_id)).endswith("/consent")


def _consented(http, app):
    from helpers import exchange, login_flow, make_client

    client_id, secret = make_client(app, first_party=False)
    make_account(app)
    code = query(login_flow(http, "caf", client_id, scope="openid email offline_access"))["code"]
    return client_id, secret, exchange(http, "caf", client_id, secret, code).get_json()


def test_export_my_data(http, app):
    make_account(app)
    direct_login(http)
    response = http.get("/caf/account/export")
    data = json.loads(response.get_data(as_text=True))
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert data["identifier"] == "1840312345678" and data["claims"]["email"] == "camille@example.fr"


def test_delete_account(http, app):
    from idp.accounts.service import find_account

    client_id, secret, tokens = _consented(http, app)
    page = http.get("/caf/account").get_data(as_text=True)
    refused = http.post("/caf/account/delete", data={"csrf_token": csrf(page), "delete_password": "nope"})
    assert refused.status_code == 400 and "Le mot de passe est incorrect." in refused.get_data(as_text=True)
    assert 'name="delete_password"' in page                 # the field the page sends
    done = http.post("/caf/account/delete", data={"csrf_token": csrf(page), "delete_password": "Allocation2024"})
    assert "Votre compte a été supprimé" in done.get_data(as_text=True)
    with app.app_context():
        assert find_account("caf", "1840312345678") is None
    assert http.get("/caf/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}).status_code == 401
    assert query(location(authorize(http, "caf", client_id, prompt="none")))["error"] == "login_required"


def test_account_forms_need_csrf(http, app):
    make_account(app)
    direct_login(http)
    assert http.post("/caf/account/delete", data={"delete_password": "Allocation2024"}).status_code == 400


def test_mairie_login_with_verified_email(http, app):
    from helpers import login_flow, make_client

    make_account(app, "mairie", email="jean.dupont@example.fr")
    client_id, _ = make_client(app, "mairie", first_party=True)
    url = login_flow(http, "mairie", client_id, identifier="Jean.Dupont@example.fr")
    assert query(url)["code"]


def test_contact_change_is_verified_first(http, app):
    import re

    from messages_support import last_message

    from idp.accounts.service import find_account

    make_account(app)
    direct_login(http)
    page = page_text(http.get("/caf/account"))
    bad = http.post("/caf/account/contact", data={"csrf_token": csrf(page), "contact": "01 01 01 01 01"})
    assert bad.status_code == 400 and 'id="contact-error"' in page_text(bad)
    http.post("/caf/account/contact", data={"csrf_token": csrf(page), "contact": "nouvelle@example.fr"})
    with app.app_context():
        assert find_account("caf", "1840312345678").email == "camille@example.fr"  # not yet
    code = re.search(r"\b(\d{6})\b", last_message(app, "email", "nouvelle@example.fr")["text"]).group(1)
    wrong = http.post("/caf/account/contact", data={"csrf_token": csrf(page), "action": "confirm", "code": "000000"})
    assert wrong.status_code == 400
    done = http.post("/caf/account/contact", data={"csrf_token": csrf(page), "action": "confirm", "code": code})
    assert location(done).endswith("done=contact")
    with app.app_context():
        account = find_account("caf", "1840312345678")
        assert account.email == "nouvelle@example.fr" and account.email_verified is True


def test_other_sessions_listed_and_ended(http, app):
    make_account(app)
    other = app.test_client()
    direct_login(other)
    direct_login(http)
    page = page_text(http.get("/caf/account"))
    assert page.count("Ouverte le") == 2 and "cette session" in page
    ended = http.post("/caf/account/sessions/0/end", data={"csrf_token": csrf(page)})
    assert location(ended).endswith("done=session")
    assert location(other.get("/caf/account")).endswith("/caf/login")


def _sms_account(app):
    from idp.accounts.service import find_account
    from idp.store.db import db

    with app.app_context():
        account = find_account("caf", "1840312345678")
        account.phone_number, account.profile = "+33612345678", {"phone_number_verified": True}
        db.session.commit()


def _login_long_ago(app, seconds=301):
    """The SSO sessions' auth_time moved back: the login is no longer recent."""
    from idp.store.db import db
    from idp.store.models import SsoSession

    with app.app_context():
        for row in db.session.execute(db.select(SsoSession)).scalars():
            row.auth_time -= seconds
        db.session.commit()


def _code_to(app, channel, to):
    import re

    from messages_support import last_message

    return re.search(r"\b(\d{6})\b", last_message(app, channel, to)["text"]).group(1)


def test_password_change_ends_other_sessions_and_revokes_tokens(http, app):
    from helpers import code_tokens, token_request
    from messages_support import last_message

    other = app.test_client()
    client_id, secret, tokens = code_tokens(other, app, scope="openid offline_access")
    direct_login(http)
    page = page_text(http.get("/caf/account"))
    done = http.post("/caf/account/password", data={"csrf_token": csrf(page), "current_password": "Allocation2024",
                                                    "new_password": "Nouveau2026Mdp", "new_password_repeat": "Nouveau2026Mdp"})
    assert location(done).endswith("done=password")
    from helpers import path_of

    assert "Vos autres sessions ont été fermées" in page_text(http.get(path_of(location(done))))  # not this one
    assert location(other.get("/caf/account")).endswith("/caf/login")
    refreshed = token_request(other, "caf", client_id, secret,
                              {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert refreshed.get_json()["error"] == "invalid_grant"
    told = last_message(app, "email", "camille@example.fr")
    assert told["template"] == "password_changed" and "vos autres sessions ont été fermées" in told["text"]


def test_contact_change_needs_a_recent_authentication(http, app):
    from messages_support import messages

    make_account(app)
    direct_login(http)
    _login_long_ago(app)
    page = page_text(http.get("/caf/account"))
    assert 'id="contact_password" name="contact_password"' in page      # the field the page sends
    asked = http.post("/caf/account/contact", data={"csrf_token": csrf(page), "contact": "nouvelle@example.fr"})
    assert asked.status_code == 400
    assert "Pour modifier vos coordonnées, saisissez votre mot de passe." in page_text(asked)
    wrong = http.post("/caf/account/contact", data={"csrf_token": csrf(page), "contact": "nouvelle@example.fr",
                                                    "contact_password": "nope"})
    assert wrong.status_code == 400 and "Le mot de passe est incorrect." in page_text(wrong)
    assert messages(app, "email", "nouvelle@example.fr") == []
    right = http.post("/caf/account/contact", data={"csrf_token": csrf(page), "contact": "nouvelle@example.fr",
                                                    "contact_password": "Allocation2024"})
    assert location(right).endswith("done=contact_sent")


def test_contact_change_within_minutes_of_login_needs_no_password(http, app):
    make_account(app)
    direct_login(http)
    page = page_text(http.get("/caf/account"))
    assert 'id="contact_password"' not in page
    sent = http.post("/caf/account/contact", data={"csrf_token": csrf(page), "contact": "nouvelle@example.fr"})
    assert location(sent).endswith("done=contact_sent")


def test_contact_change_tells_the_old_address(http, app):
    from messages_support import last_message

    make_account(app)
    direct_login(http)
    page = page_text(http.get("/caf/account"))
    http.post("/caf/account/contact", data={"csrf_token": csrf(page), "contact": "nouvelle@example.fr"})
    code = _code_to(app, "email", "nouvelle@example.fr")
    http.post("/caf/account/contact", data={"csrf_token": csrf(page), "action": "confirm", "code": code})
    told = last_message(app, "email", "camille@example.fr")
    assert told["template"] == "contact_changed"
    assert "remplacée" in told["text"] and "n***@example.fr" in told["text"] and "nouvelle@" not in told["text"]


def test_contact_change_codes_are_limited_and_keep_their_tries(http, app, monkeypatch):
    from datetime import timedelta

    import idp.verification.codes as verification
    from idp.store.db import utcnow

    make_account(app)
    direct_login(http)
    page = page_text(http.get("/caf/account"))
    http.post("/caf/account/contact", data={"csrf_token": csrf(page), "contact": "nouvelle@example.fr"})
    again = http.post("/caf/account/contact", data={"csrf_token": csrf(page), "contact": "autre@example.fr"})
    assert again.status_code == 429 and "Patientez" in page_text(again)
    for _ in range(4):
        http.post("/caf/account/contact", data={"csrf_token": csrf(page), "action": "confirm", "code": "x"})
    monkeypatch.setattr(verification, "utcnow", lambda: utcnow() + timedelta(seconds=61))
    http.post("/caf/account/contact", data={"csrf_token": csrf(page), "contact": "autre@example.fr"})
    code = _code_to(app, "email", "autre@example.fr")
    last = http.post("/caf/account/contact", data={"csrf_token": csrf(page), "action": "confirm", "code": "x"})
    assert "Trop d'essais. Demandez un nouveau code." in page_text(last)     # the 5th try, not the 1st
    late = http.post("/caf/account/contact", data={"csrf_token": csrf(page), "action": "confirm", "code": code})
    assert late.status_code == 400
    spent = http.post("/caf/account/contact", data={"csrf_token": csrf(page), "contact": "troisieme@example.fr"})
    assert spent.status_code == 429 and "Trop d'essais avec les derniers codes" in page_text(spent)


def test_concurrent_wrong_contact_codes_take_five_tries_only(app):
    """On a served instance, 20 wrong codes at once: exactly 4 "incorrect", then "Trop d'essais"."""
    import html
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import requests

    from live import serving

    make_account(app)
    threads = 20
    with serving(app) as base:
        browser = requests.Session()
        page = browser.get(f"{base}/caf/login").text
        identifier, password = ACCOUNTS["caf"]
        browser.post(f"{base}/caf/login", data={"csrf_token": csrf(page), "identifier": identifier, "password": password})
        token = csrf(browser.get(f"{base}/caf/account").text)
        browser.post(f"{base}/caf/account/contact", data={"csrf_token": token, "contact": "nouvelle@example.fr"})
        start = threading.Barrier(threads)

        def guess(_):
            guesser = requests.Session()
            guesser.cookies.update(browser.cookies)
            start.wait()
            return html.unescape(guesser.post(f"{base}/caf/account/contact", timeout=30, data={
                "csrf_token": token, "action": "confirm", "code": "x"}).text)

        with ThreadPoolExecutor(threads) as pool:
            answers = list(pool.map(guess, range(threads)))
    assert sum("Le code saisi est incorrect." in a for a in answers) == 4
    assert sum("Trop d'essais. Demandez un nouveau code." in a for a in answers) == threads - 4


def test_password_change_logs_the_other_sessions_out_of_their_clients(http, app):
    """Each session ended tells its clients by back-channel logout, as a logout does."""
    import threading

    import requests_mock

    from helpers import code_tokens

    uri = "https://rp.example/backchannel"
    other = app.test_client()
    with requests_mock.Mocker() as mock:
        mock.post(uri, status_code=200)
        code_tokens(other, app, backchannel_logout_uri=uri)
        direct_login(http)
        page = page_text(http.get("/caf/account"))
        http.post("/caf/account/password", data={"csrf_token": csrf(page), "current_password": "Allocation2024",
                                                 "new_password": "Nouveau2026Mdp", "new_password_repeat": "Nouveau2026Mdp"})
        for thread in threading.enumerate():
            if thread.name.startswith("backchannel-"):
                thread.join(timeout=10)
        assert mock.call_count == 1 and "logout_token=" in mock.request_history[0].text


def test_contact_change_without_a_password_needs_a_new_login(http, app):
    """An account created through FranceConnect has no password to type again."""
    from idp.accounts.service import find_account
    from idp.store.db import db

    make_account(app)
    direct_login(http)
    with app.app_context():
        find_account("caf", "1840312345678").password_hash = None
        db.session.commit()
    _login_long_ago(app)
    page = page_text(http.get("/caf/account"))
    asked = http.post("/caf/account/contact", data={"csrf_token": csrf(page), "contact": "nouvelle@example.fr"})
    assert asked.status_code == 400
    assert "Pour modifier vos coordonnées, reconnectez-vous d'abord : votre connexion date de plus de quelques " \
           "minutes." in page_text(asked)


def test_new_mobile_is_told_to_the_verified_email(http, app):
    from messages_support import last_message

    make_account(app)
    direct_login(http)
    page = page_text(http.get("/caf/account"))
    http.post("/caf/account/contact", data={"csrf_token": csrf(page), "contact": "06 12 34 56 78"})
    code = _code_to(app, "sms", "+33612345678")
    http.post("/caf/account/contact", data={"csrf_token": csrf(page), "action": "confirm", "code": code})
    told = last_message(app, "email", "camille@example.fr")
    assert told["template"] == "contact_changed" and "Le numéro de mobile de votre compte" in told["text"]
    assert "+336** *** *78" in told["text"]


def test_remember_me_off_forgets_a_remembered_identifier_only_where_there_is_one(http, app):
    make_account(app)
    direct_login(http, remember=True)
    forgotten = direct_login(http)   # "Se souvenir de moi" unticked: the identifier is forgotten
    assert any(c.startswith("idp_remember=;") for c in forgotten.headers.getlist("Set-Cookie"))
    fresh = direct_login(app.test_client())   # issue 15: no deletion sent to a browser that holds none
    assert not any(c.startswith("idp_remember=") for c in fresh.headers.getlist("Set-Cookie"))
