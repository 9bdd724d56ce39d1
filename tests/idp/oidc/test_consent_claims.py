"""Consent covers every claim released: the ``claims`` parameter (OIDC Core §5.5) is limited
to what the client is registered for, shown in words, released only once granted, and
remembered consent without a newly asked claim asks again."""

from __future__ import annotations

import json

from joserfc import jwt
from joserfc.jwk import KeySet

from helpers import (ACCOUNTS, authorize, csrf, exchange, location, make_account, make_client, page_text, path_of,
                     pkce_pair, query, submit_consent, submit_login)

ASKED = json.dumps({"userinfo": {"email": None, "birthdate": None}, "id_token": {"email": None}})
EMAIL_ONLY = json.dumps({"userinfo": {"email": None}})


def consent_page_of(http, client_id, **params):
    """authorize, log in; the consent page's URL and text."""
    url = location(authorize(http, "caf", client_id, **params))
    if "/consent" not in url:
        url = location(submit_login(http, url, *ACCOUNTS["caf"]))
    assert url.endswith("/consent"), url
    return url, page_text(http.get(path_of(url)))


def released(http, client_id, secret, consent_url, verifier):
    """Allow on the consent page, then the ID token's and userinfo's claims."""
    code = query(location(http.get(path_of(location(submit_consent(http, consent_url))))))["code"]
    tokens = exchange(http, "caf", client_id, secret, code, verifier).get_json()
    keys = KeySet.import_key_set(http.get("/caf/jwks.json").get_json())
    id_token = jwt.decode(tokens["id_token"], keys).claims
    userinfo = http.get("/caf/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}).get_json()
    return id_token, userinfo


def flow(http, app, scope_registered, claims, scope="openid"):
    client_id, secret = make_client(app, scope=scope_registered)
    make_account(app)
    verifier, challenge = pkce_pair()
    url, text = consent_page_of(http, client_id, scope=scope, claims=claims, code_challenge=challenge,
                                code_challenge_method="S256")
    return client_id, secret, url, text, verifier


def test_claims_the_client_is_not_registered_for_are_neither_shown_nor_released(http, app):
    client_id, secret, url, text, verifier = flow(http, app, "openid", ASKED)
    assert "Vous identifier" in text
    assert "Votre adresse électronique" not in text and "Votre date de naissance" not in text
    id_token, userinfo = released(http, client_id, secret, url, verifier)
    assert "email" not in id_token and "given_name" not in id_token and "family_name" not in id_token
    assert set(userinfo) == {"sub"}


def test_claims_asked_by_name_are_shown_in_words_and_released_once_granted(http, app):
    client_id, secret, url, text, verifier = flow(http, app, "openid profile email", ASKED)
    assert "Vous identifier" in text
    assert "Votre adresse électronique" in text and "Votre date de naissance" in text
    assert "Votre nom, prénom" not in text  # the profile scope was not asked
    id_token, userinfo = released(http, client_id, secret, url, verifier)
    assert id_token["email"] == "camille@example.fr" and "birthdate" not in id_token
    assert userinfo == {"sub": id_token["sub"], "email": "camille@example.fr", "birthdate": "1984-03-12"}


def test_remembered_consent_without_a_newly_asked_claim_asks_again(http, app):
    client_id, _ = make_client(app, scope="openid email")
    make_account(app)
    url, _ = consent_page_of(http, client_id)
    location(submit_consent(http, url))  # consent to scope=openid only
    assert query(location(authorize(http, "caf", client_id, prompt="none")))["code"]
    refused = query(location(authorize(http, "caf", client_id, prompt="none", claims=EMAIL_ONLY)))
    assert refused["error"] == "consent_required"
    again, text = consent_page_of(http, client_id, claims=EMAIL_ONLY)
    assert "Votre adresse électronique" in text
    location(submit_consent(http, again))
    assert query(location(authorize(http, "caf", client_id, prompt="none", claims=EMAIL_ONLY)))["code"]
    with app.app_context():
        from idp.store.models import Consent

        granted = Consent.query.filter_by(client_id=client_id).one()
        assert (granted.scopes, granted.claims) == (["openid"], ["email"])


def test_a_claim_released_by_a_granted_scope_needs_no_new_consent(http, app):
    client_id, _ = make_client(app, scope="openid email")
    make_account(app)
    url, text = consent_page_of(http, client_id, scope="openid email")
    location(submit_consent(http, url))
    assert query(location(authorize(http, "caf", client_id, prompt="none", claims=EMAIL_ONLY)))["code"]


def test_first_party_clients_get_only_the_claims_they_are_registered_for(http, app):
    client_id, secret = make_client(app, scope="openid", first_party=True)
    make_account(app)
    verifier, challenge = pkce_pair()
    url = location(authorize(http, "caf", client_id, claims=ASKED, code_challenge=challenge,
                             code_challenge_method="S256"))
    code = query(location(submit_login(http, url, *ACCOUNTS["caf"])))["code"]
    tokens = exchange(http, "caf", client_id, secret, code, verifier).get_json()
    userinfo = http.get("/caf/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}).get_json()
    assert set(userinfo) == {"sub"}


def _born_in_lyon(app, account_id):
    from idp.store.db import db
    from idp.store.models import Account

    with app.app_context():
        account = db.session.get(Account, account_id)
        account.profile = {**(account.profile or {}), "birthplace": "69123", "birthcountry": "99100"}
        db.session.commit()


def test_a_scope_without_words_of_its_own_is_shown_as_its_claims(http, app):
    client_id, _ = make_client(app, scope="openid birth")
    _born_in_lyon(app, make_account(app))
    _, text = consent_page_of(http, client_id, scope="openid birth")
    assert "Votre lieu de naissance" in text and "Votre pays de naissance" in text
    assert "<li>birth</li>" not in text


def test_the_consent_page_lists_only_data_the_account_has(http, app):
    """No mobile, no birthplace on the account: the page does not promise them to the service;
    what it has is listed claim by claim, in words."""
    client_id, _ = make_client(app, scope="openid profile email phone birth")
    make_account(app)
    _, text = consent_page_of(http, client_id, scope="openid profile email phone birth")
    assert "Votre numéro de téléphone" not in text and "Votre lieu de naissance" not in text
    assert "Votre adresse électronique" in text and "Votre date de naissance" in text and "Vos prénoms" in text
    assert "Votre photo" not in text and "Votre site web" not in text   # the profile scope's claims it lacks


def _gains_a_phone(app, account_id):
    from idp.store.db import db
    from idp.store.models import Account

    with app.app_context():
        account = db.session.get(Account, account_id)
        account.phone_number = "+33612345678"
        db.session.commit()


def test_a_claim_the_account_gains_after_consenting_asks_again(http, app):
    """Consent covers the claims shown: a phone added later was never shown, so it is not
    released under the remembered consent (consent_required, then the page lists it)."""
    client_id, _ = make_client(app, scope="openid email phone")
    account_id = make_account(app)
    url, text = consent_page_of(http, client_id, scope="openid email phone")
    assert "Votre numéro de téléphone" not in text
    location(submit_consent(http, url))
    assert query(location(authorize(http, "caf", client_id, scope="openid email phone", prompt="none")))["code"]
    _gains_a_phone(app, account_id)
    refused = query(location(authorize(http, "caf", client_id, scope="openid email phone", prompt="none")))
    assert refused["error"] == "consent_required"
    again, text = consent_page_of(http, client_id, scope="openid email phone")
    assert "Votre numéro de téléphone" in text
    location(submit_consent(http, again))
    assert query(location(authorize(http, "caf", client_id, scope="openid email phone", prompt="none")))["code"]
    with app.app_context():
        from idp.store.models import Consent

        assert Consent.query.filter_by(client_id=client_id).one().claims == ["email", "phone_number"]


def test_a_claim_gained_while_the_consent_page_is_open_is_not_granted(http, app):
    """Allowing grants what the page listed, not what the account holds at the click."""
    client_id, _ = make_client(app, scope="openid phone")
    account_id = make_account(app)
    url, text = consent_page_of(http, client_id, scope="openid phone")
    assert "Votre numéro de téléphone" not in text
    page = http.get(path_of(url))
    _gains_a_phone(app, account_id)
    resumed = http.post(path_of(url), data={"csrf_token": csrf(page.get_data(as_text=True)), "decision": "allow"})
    assert location(http.get(path_of(location(resumed)))).endswith("/consent")
