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
    refused = http.post("/caf/account/delete", data={"csrf_token": csrf(page), "password": "nope"})
    assert refused.status_code == 400 and "Le mot de passe est incorrect." in refused.get_data(as_text=True)
    done = http.post("/caf/account/delete", data={"csrf_token": csrf(page), "password": "Allocation2024"})
    assert "Votre compte a été supprimé" in done.get_data(as_text=True)
    with app.app_context():
        assert find_account("caf", "1840312345678") is None
    assert http.get("/caf/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}).status_code == 401
    assert query(location(authorize(http, "caf", client_id, prompt="none")))["error"] == "login_required"


def test_account_forms_need_csrf(http, app):
    make_account(app)
    direct_login(http)
    assert http.post("/caf/account/delete", data={"password": "Allocation2024"}).status_code == 400


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
