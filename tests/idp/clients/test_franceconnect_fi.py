"""The IdP as an identity provider (FI) behind FranceConnect (franceconnect.md §5 and §7).

FranceConnect is registered with ``--profile franceconnect``; it asks with ``acr_values``,
``prompt=login`` and long random ``state``/``nonce``, authenticates with
``client_secret_post``, and checks the ID token and the signed userinfo claim by claim.
"""

from __future__ import annotations

import json
import re
import secrets
import string
import time
from urllib.parse import urlencode

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from helpers import (ACCOUNTS, authorize, exchange, location, make_account, make_client, path_of, query,
                     submit_login)

FC_HOST = "fcp-low.integ01.dev-franceconnect.fr"
FC_CALLBACK = f"https://{FC_HOST}/api/v2/oidc-callback"
FC_LOGOUT = f"https://{FC_HOST}/api/v2/client/logout-callback"
FC_SCOPE = "openid profile email birth identite_pivot"
BORN_IN_LYON = {"civility": "madame", "birthplace": "69123", "usage_name": "Durand"}
BORN_IN_SPAIN = {"civility": "monsieur", "birthplace": "99134", "birthcountry": "99134"}


def random_alnum(length: int) -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(length))


def register_franceconnect(app, tenant="caf", **options):
    """FranceConnect as a client, through the function ``idp clients create`` calls."""
    from idp.clients.admin import create_client

    with app.app_context():
        row, secret = create_client(tenant, name="FranceConnect", profile="franceconnect",
                                    franceconnect_host=FC_HOST, **options)
        return row.client_id, secret


def account_with(app, profile: dict, tenant="caf", **fields):
    from idp.store.db import db
    from idp.store.models import Account

    account_id = make_account(app, tenant, **fields)
    with app.app_context():
        account = db.session.get(Account, account_id)
        account.profile = {**(account.profile or {}), **profile}
        db.session.commit()
    return account_id


def live_session(http, tenant="caf"):
    """The person is already logged in to the IdP (SSO cookie), as after a visit."""
    identifier, password = ACCOUNTS[tenant]
    location(submit_login(http, f"/{tenant}/login", identifier, password))


def franceconnect_login(http, client_id, secret, state, nonce, tenant="caf", identifier=None):
    """What FranceConnect does (core-fcp ``redirectToIdp``): returns (callback params, tokens)."""
    identifier, password = identifier or ACCOUNTS[tenant][0], ACCOUNTS[tenant][1]
    url = location(authorize(http, tenant, client_id, redirect_uri=FC_CALLBACK, scope=FC_SCOPE,
                             acr_values="eidas1", prompt="login", state=state, nonce=nonce))
    assert "/interaction/" in url, "prompt=login must show the login form, even with a live session"
    page = http.get(path_of(url))
    assert page.status_code == 200 and 'name="password"' in page.get_data(as_text=True)
    callback = location(submit_login(http, url, identifier, password))
    assert callback.startswith(FC_CALLBACK + "?"), "no consent page: FranceConnect asks for consent itself"
    params = query(callback)
    response = exchange(http, tenant, client_id, secret, params["code"], redirect_uri=FC_CALLBACK, auth="post")
    assert response.status_code == 200, response.get_json()
    return params, response.get_json()


def tenant_jwks(http, tenant="caf") -> KeySet:
    return KeySet.import_key_set(http.get(f"/{tenant}/jwks.json").get_json())


def signed_userinfo(http, access_token, tenant="caf"):
    response = http.get(f"/{tenant}/userinfo", headers={"Authorization": f"Bearer {access_token}"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/jwt"
    assert response.headers["Cache-Control"] == "no-store"
    return jwt.decode(response.get_data(as_text=True), tenant_jwks(http, tenant), algorithms=["ES256", "RS256"])


def assert_franceconnect_accepts(identity: dict) -> None:
    """FranceConnect's checks of an FI's userinfo (``OidcIdentityDto``, franceconnect.md §5, §7)."""
    assert isinstance(identity["sub"], str) and identity["sub"] and identity["sub"].isascii()
    for name in ("given_name", "family_name"):
        assert isinstance(identity[name], str) and 1 <= len(identity[name]) <= 256, name
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", identity["birthdate"])
    assert identity["gender"] in ("male", "female")
    assert re.fullmatch(r"99[0-9]{3}", identity["birthcountry"])
    if identity["birthcountry"] == "99100":
        assert re.fullmatch(r"(?:2[AB]|[0-9]{2})[0-9]{3}", identity["birthplace"])
    else:
        assert identity["birthplace"] == ""
    assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", identity["email"])
    if "preferred_username" in identity:
        assert isinstance(identity["preferred_username"], str) and identity["preferred_username"]


@pytest.mark.parametrize("length", [32, 64, 128])
def test_franceconnect_code_flow_id_token_and_signed_userinfo(http, app, length):
    client_id, secret = register_franceconnect(app)
    account_id = account_with(app, BORN_IN_LYON, given_name="Marie  Louise, Jeanne")
    live_session(http)
    state, nonce = random_alnum(length), random_alnum(length)
    before = int(time.time())

    params, tokens = franceconnect_login(http, client_id, secret, state, nonce)

    assert params["state"] == state and params["iss"] == "http://idp.test/caf"
    assert re.fullmatch(r"[\x21-\x7e]+", tokens["access_token"])
    assert tokens["expires_in"] == 60          # very short-lived for FranceConnect (§7), not the tenant's 600 s
    decoded = jwt.decode(tokens["id_token"], tenant_jwks(http), algorithms=["ES256"])
    assert decoded.header["alg"] == "ES256"
    claims = decoded.claims
    assert claims["acr"] == "eidas1" and claims["acr"].isalnum()
    assert claims["nonce"] == nonce and claims["aud"] == [client_id] and claims["sub"] == account_id
    assert claims["auth_time"] >= before  # a new login, not the SSO session's

    userinfo = signed_userinfo(http, tokens["access_token"])
    assert userinfo.header["alg"] == "ES256"
    identity = userinfo.claims
    assert identity["iss"] == "http://idp.test/caf" and identity["aud"] == client_id
    assert identity["iat"] <= time.time() < identity["exp"]
    assert_franceconnect_accepts(identity)
    assert identity == {**{k: identity[k] for k in ("iss", "aud", "iat", "exp")},
                        "sub": account_id, "given_name": "Marie Louise Jeanne", "family_name": "Martin",
                        "preferred_username": "Durand", "birthdate": "1984-03-12", "gender": "female",
                        "birthplace": "69123", "birthcountry": "99100", "email": "camille@example.fr"}


def test_franceconnect_identity_of_a_person_born_abroad(http, app):
    client_id, secret = register_franceconnect(app, userinfo_signed_response_alg="RS256")
    account_with(app, BORN_IN_SPAIN, given_name="Pablo", family_name="García López",
                 email="pablo@example.es", birthdate="1979-11-02")
    _, tokens = franceconnect_login(http, client_id, secret, random_alnum(32), random_alnum(32))

    userinfo = signed_userinfo(http, tokens["access_token"])
    assert userinfo.header["alg"] == "RS256"
    identity = userinfo.claims
    assert_franceconnect_accepts(identity)
    assert identity["birthcountry"] == "99134" and identity["birthplace"] == ""
    assert identity["gender"] == "male" and identity["family_name"] == "García López"
    assert "preferred_username" not in identity  # no nom d'usage


def test_generic_clients_keep_json_userinfo_and_generic_claims(http, app):
    client_id, secret = make_client(app, first_party=True)
    account_with(app, BORN_IN_SPAIN)
    url = location(authorize(http, "caf", client_id, scope="openid birth gender"))
    url = location(submit_login(http, url, *ACCOUNTS["caf"]))
    code = query(url)["code"]
    at = exchange(http, "caf", client_id, secret, code).get_json()["access_token"]
    response = http.get("/caf/userinfo", headers={"Authorization": f"Bearer {at}"})
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["birthplace"] == "99134" and body["birthcountry"] == "99134" and "gender" not in body


def test_logout_back_to_franceconnect_with_state(http, app):
    client_id, secret = register_franceconnect(app)
    account_with(app, BORN_IN_LYON)
    _, tokens = franceconnect_login(http, client_id, secret, random_alnum(32), random_alnum(32))
    state = random_alnum(32)
    response = http.get("/caf/logout?" + urlencode({
        "id_token_hint": tokens["id_token"], "state": state, "post_logout_redirect_uri": FC_LOGOUT}))
    assert location(response) == f"{FC_LOGOUT}?state={state}"
    after = location(authorize(http, "caf", client_id, redirect_uri=FC_CALLBACK, scope=FC_SCOPE, prompt="none"))
    assert query(after)["error"] == "login_required"


def _expired(app, id_token: str, http, **changes) -> str:
    """The ID token FranceConnect kept, as it is when FranceConnect logs out later: re-signed
    with the tenant's own key, ``exp`` in the past (ID tokens live minutes, sessions hours)."""
    from idp.store.keystore import keyring

    claims = dict(jwt.decode(id_token, tenant_jwks(http), algorithms=["ES256"]).claims)
    claims.update(iat=claims["iat"] - 7200, exp=claims["exp"] - 7200, **changes)
    with app.test_request_context("/caf/"):
        return keyring("caf").sign(claims, "ES256", typ="JWT")


def test_franceconnect_logs_out_with_an_expired_id_token_of_the_current_session(http, app):
    """RP-Initiated Logout §2: the OP SHOULD accept an expired ID token as a hint when the
    session it names is current. FranceConnect ends the FI's session long after the 60 s
    ID token expired: the session it names ends without a confirmation page, and the browser
    goes back to FranceConnect with its state."""
    client_id, secret = register_franceconnect(app)
    account_with(app, BORN_IN_LYON)
    _, tokens = franceconnect_login(http, client_id, secret, random_alnum(32), random_alnum(32))
    hint = _expired(app, tokens["id_token"], http)
    state = random_alnum(32)
    response = http.get("/caf/logout?" + urlencode({"id_token_hint": hint, "state": state,
                                                    "post_logout_redirect_uri": FC_LOGOUT}))
    assert location(response) == f"{FC_LOGOUT}?state={state}"
    after = location(authorize(http, "caf", client_id, redirect_uri=FC_CALLBACK, scope=FC_SCOPE, prompt="none"))
    assert query(after)["error"] == "login_required"


def test_an_expired_id_token_of_an_earlier_session_only_asks(http, app):
    """Expired and naming a session that is over: it proves nothing about this browser's
    session, which ends only once the person confirms (as without a hint)."""
    from helpers import page_text

    client_id, secret = register_franceconnect(app)
    account_with(app, BORN_IN_LYON)
    _, tokens = franceconnect_login(http, client_id, secret, random_alnum(32), random_alnum(32))
    hint = _expired(app, tokens["id_token"], http, sid="an-earlier-session")
    response = http.get("/caf/logout?" + urlencode({"id_token_hint": hint, "post_logout_redirect_uri": FC_LOGOUT}))
    assert response.status_code == 200 and "Voulez-vous vous déconnecter ?" in page_text(response)
    still = location(authorize(http, "caf", client_id, redirect_uri=FC_CALLBACK, scope=FC_SCOPE, prompt="none"))
    assert "code" in query(still)


def test_an_expired_hint_is_still_checked_as_an_id_token(http, app):
    """Accepting ``exp`` in the past is all: the signature, issuer and client still decide."""
    from helpers import page_text

    client_id, secret = register_franceconnect(app)
    account_with(app, BORN_IN_LYON)
    _, tokens = franceconnect_login(http, client_id, secret, random_alnum(32), random_alnum(32))
    header, payload, signature = _expired(app, tokens["id_token"], http).split(".")
    forged = ".".join((header, payload, signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")))
    response = http.get("/caf/logout?" + urlencode({"id_token_hint": forged, "post_logout_redirect_uri": FC_LOGOUT}))
    assert response.status_code == 400
    assert "<code>invalid_request</code> – 'id_token_hint' is not an ID token of this issuer." in page_text(response)


def test_discovery_advertises_userinfo_signing(http, app):
    doc = http.get("/caf/.well-known/openid-configuration").get_json()
    assert set(doc["userinfo_signing_alg_values_supported"]) == {"ES256", "RS256"}
    assert doc["acr_values_supported"] == ["eidas1", "eidas2"]   # eidas2: a second factor (issue 16)


def test_cli_registers_franceconnect(runner, app):
    from idp.store.db import scoped_first
    from idp.store.models import Client

    result = runner.invoke(args=["clients", "create", "--tenant", "ameli", "--name", "FranceConnect",
                                 "--profile", "franceconnect", "--franceconnect-host", FC_HOST, "--json"])
    assert result.exit_code == 0, result.output
    created = json.loads(result.output)
    assert len(created["client_secret"]) >= 32
    assert created["token_endpoint_auth_method"] == "client_secret_post"
    assert created["redirect_uris"] == [FC_CALLBACK] and created["post_logout_redirect_uris"] == [FC_LOGOUT]
    assert created["scope"].split() == ["openid", "profile", "email", "birth", "identite_pivot",
                                        "preferred_username", "given_name", "family_name", "birthdate",
                                        "gender", "birthplace", "birthcountry"]
    assert created["userinfo_signed_response_alg"] == "ES256"
    assert created["id_token_signed_response_alg"] == "ES256"
    assert created["first_party"] is True and created["profile"] == "franceconnect"
    assert created["grant_types"] == ["authorization_code"] and created["public"] is False
    with app.app_context():
        row = scoped_first(Client, "ameli", client_id=created["client_id"])
        assert row.profile == "franceconnect" and row.userinfo_signed_response_alg == "ES256"


def test_cli_franceconnect_options(runner, app):
    rs256 = runner.invoke(args=["clients", "create", "--tenant", "caf", "--name", "FC", "--profile", "franceconnect",
                                "--redirect-uri", "https://fc.example/api/v2/oidc-callback",
                                "--userinfo-signed-response-alg", "RS256", "--json"])
    assert rs256.exit_code == 0, rs256.output
    created = json.loads(rs256.output)
    assert created["userinfo_signed_response_alg"] == "RS256"
    assert created["redirect_uris"] == ["https://fc.example/api/v2/oidc-callback"]
    no_host = runner.invoke(args=["clients", "create", "--tenant", "caf", "--name", "FC", "--profile", "franceconnect"])
    assert no_host.exit_code != 0 and "--franceconnect-host" in no_host.output
    public = runner.invoke(args=["clients", "create", "--tenant", "caf", "--name", "FC", "--profile", "franceconnect",
                                 "--franceconnect-host", FC_HOST, "--public"])
    assert public.exit_code != 0 and "confidential" in public.output
    basic = runner.invoke(args=["clients", "create", "--tenant", "caf", "--name", "FC", "--profile", "franceconnect",
                                "--franceconnect-host", FC_HOST, "--auth-method", "client_secret_basic"])
    assert basic.exit_code != 0 and "client_secret_post" in basic.output


def test_franceconnect_profile_refuses_a_short_secret(app):
    from idp.clients.admin import ClientError

    with pytest.raises(ClientError, match="32"):
        register_franceconnect(app, secret="x" * 31)


@pytest.mark.parametrize("stored, expected", [
    ("M", "male"), ("F", "female"), ("homme", "male"), ("Femme", "female"), ("monsieur", "male"),
    ("madame", "female"), ("male", "male"), ("female", "female"), ("autre", None), (None, None),
])
def test_gender_spellings(stored, expected):
    from idp.clients.franceconnect_fi import gender

    assert gender(stored) == expected


@pytest.mark.parametrize("place, country, expected", [
    ("69123", None, {"birthplace": "69123", "birthcountry": "99100"}),
    ("2A004", "99100", {"birthplace": "2A004", "birthcountry": "99100"}),
    ("99134", None, {"birthplace": "", "birthcountry": "99134"}),
    ("99134", "99134", {"birthplace": "", "birthcountry": "99134"}),
    (None, "99109", {"birthplace": "", "birthcountry": "99109"}),
    (None, "99100", {"birthcountry": "99100"}),
    (None, None, {}),
])
def test_birthplace_and_birthcountry(place, country, expected):
    from idp.clients.franceconnect_fi import birth

    assert birth(place, country) == expected


def test_gender_and_birthplace_come_from_the_nir_when_the_account_never_gave_them(app):
    """A demo or operator-created account has no civility nor birthplace: FranceConnect
    would refuse its userinfo, so they are read from its NIR."""
    from idp.store.models import Account
    from idp.clients.franceconnect_fi import identity_claims

    account_id = make_account(app, "caf", identifier="2840375107012", given_name="Élodie", family_name="Lefèvre")
    with app.app_context():
        from idp.store.db import db

        claims = identity_claims(db.session.get(Account, account_id))
    assert (claims["gender"], claims["birthplace"], claims["birthcountry"]) == ("female", "75107", "99100")


# -- every shape of account yields the complete pivot, claim by claim ---------------------

@pytest.mark.parametrize("tenant, identifier, fields, profile, expected", [
    pytest.param("caf", "1580120004012", {"given_name": "Dominique Ange-Marie", "family_name": "Santoni",
                                          "birthdate": "1958-01-01"}, {},
                 {"gender": "male", "birthplace": "2A004", "birthcountry": "99100"}, id="corsica-before-1976"),
    pytest.param("caf", "1500350383012", {"birthdate": "1950-03-01"}, {},
                 {"gender": "male", "birthplace": "50383", "birthcountry": "99100"}, id="historic-commune"),
    pytest.param("ameli", "2910775123456", {"given_name": "Louise Anne", "family_name": "Bernard",
                                            "birthdate": "1991-07-05"}, {},
                 {"gender": "female", "birthplace": "75123", "birthcountry": "99100"}, id="demo-ameli-75123"),
    pytest.param("caf", "2910799134012", {"birthdate": "1991-07-28"}, {},
                 {"gender": "female", "birthplace": "", "birthcountry": "99134"}, id="born-abroad-nir"),
    pytest.param("caf", "1550391352012", {"birthdate": "1955-03-02"}, {},
                 {"gender": "male", "birthplace": "", "birthcountry": "99352"}, id="algeria-before-1962"),
    pytest.param("caf", "1800397411012", {"birthdate": "1980-03-01"}, {},
                 {"gender": "male", "birthplace": "97411", "birthcountry": "99100"}, id="overseas"),
    pytest.param("caf", "1720991228012", {"birthdate": "1972-09-01"}, {},
                 {"gender": "male", "birthplace": "91228", "birthcountry": "99100"}, id="essonne-after-1968"),
    pytest.param("caf", "1840312345678", {}, {"birthcountry": "99100"},
                 {"gender": "male", "birthplace": "12345", "birthcountry": "99100"}, id="country-without-commune"),
    pytest.param("caf", "1840312345678", {}, {"usage_name": "Durand", "civility": "madame", "birthplace": "69123"},
                 {"gender": "female", "birthplace": "69123", "birthcountry": "99100", "preferred_username": "Durand"},
                 id="profile-and-usage-name"),
    pytest.param("mairie", "jean.dupont", {"given_name": "Jean Pierre", "family_name": "Dupont",
                                           "birthdate": "1975-11-30"},
                 {"civility": "monsieur", "birthplace": "99134"},
                 {"gender": "male", "birthplace": "", "birthcountry": "99134"}, id="username-born-abroad"),
])
def test_every_account_shape_gives_franceconnect_the_whole_pivot(http, app, tenant, identifier, fields, profile,
                                                                  expected):
    """What FranceConnect receives, claim by claim, for each kind of account: read from its
    profile, else from its NIR (Corsica before 1976, a commune merged since, born abroad,
    Algeria before 1962, overseas), without ``preferred_username`` when there is no nom d'usage."""
    client_id, secret = register_franceconnect(app, tenant)
    fields = {"given_name": "Camille", "family_name": "Martin", "email": "p@example.fr", **fields}
    account_id = account_with(app, profile, tenant, identifier=identifier, **fields)
    _, tokens = franceconnect_login(http, client_id, secret, random_alnum(32), random_alnum(32), tenant, identifier)
    identity = signed_userinfo(http, tokens["access_token"], tenant).claims
    assert_franceconnect_accepts(identity)
    assert {k: v for k, v in identity.items() if k not in ("iss", "aud", "iat", "exp")} == {
        "sub": account_id, "given_name": fields["given_name"], "family_name": fields["family_name"],
        "birthdate": fields["birthdate"] if "birthdate" in fields else "1984-03-12", "email": "p@example.fr",
        **expected}


def test_an_account_that_cannot_give_the_pivot_gets_franceconnect_a_clean_error(http, app, caplog):
    """No NIR to read them from, none in the profile: FranceConnect gets ``access_denied``
    with its state and the missing claims named, not a userinfo it would refuse."""
    import logging

    caplog.set_level(logging.INFO, logger="idp.audit")
    client_id, _ = register_franceconnect(app, "mairie")
    make_account(app, "mairie")
    state = random_alnum(32)
    url = location(authorize(http, "mairie", client_id, redirect_uri=FC_CALLBACK, scope=FC_SCOPE,
                             acr_values="eidas1", prompt="login", state=state, nonce=random_alnum(32)))
    answer = query(location(submit_login(http, url, *ACCOUNTS["mairie"])))
    assert answer["error"] == "access_denied" and answer["state"] == state and "code" not in answer
    assert answer["error_description"] == ("The account lacks identity claims FranceConnect requires: "
                                           "gender, birthcountry.")
    assert any('"event": "franceconnect_fi.incomplete_identity"' in r.getMessage() for r in caplog.records)


# -- the login page FranceConnect sends the person to -------------------------------------

def test_the_login_page_lets_the_person_go_back_to_franceconnect(http, app):
    """"Retourner sur FranceConnect" answers FranceConnect ``access_denied`` with its state
    (franceconnect.md §7), and the page links to the service's support."""
    from helpers import csrf, page_text

    client_id, _ = register_franceconnect(app, "ameli")
    state = random_alnum(32)
    url = location(authorize(http, "ameli", client_id, redirect_uri=FC_CALLBACK, scope=FC_SCOPE,
                             acr_values="eidas1", prompt="login", state=state, nonce=random_alnum(32)))
    page = page_text(http.get(path_of(url)))
    assert "Retourner sur FranceConnect" in page
    assert '<a href="https://www.ameli.fr/assure/adresses-et-contacts">Besoin d\'aide ? Contacter le service</a>' in page
    handle = path_of(url).rsplit("/", 1)[1]
    back = http.post(f"/ameli/interaction/{handle}/abort", data={"csrf_token": csrf(page)})
    answer = query(location(back))
    assert location(back).startswith(FC_CALLBACK + "?")
    assert answer == {"error": "access_denied", "error_description": "The end-user refused the request.",
                      "state": state, "iss": "http://idp.test/ameli"}
    again = http.post(f"/ameli/interaction/{handle}/abort", data={"csrf_token": csrf(page)})
    assert again.status_code == 400                       # the request is over: nothing more is sent


def test_other_clients_login_page_has_no_franceconnect_return(http, app):
    from helpers import page_text

    client_id, _ = make_client(app, "ameli", first_party=True)
    page = page_text(http.get(path_of(location(authorize(http, "ameli", client_id)))))
    assert "Retourner sur FranceConnect" not in page and "Besoin d'aide ? Contacter le service" in page


def test_an_account_without_email_adds_one_before_going_back_to_franceconnect(http, app):
    """FranceConnect refuses an identity without email (§7): the person gives one, confirmed
    by a code, and only then is FranceConnect's request answered."""
    from helpers import csrf, page_text

    client_id, secret = register_franceconnect(app)
    account_id = account_with(app, BORN_IN_LYON, email=None)
    state, nonce = random_alnum(32), random_alnum(32)
    url = location(authorize(http, "caf", client_id, redirect_uri=FC_CALLBACK, scope=FC_SCOPE,
                             acr_values="eidas1", prompt="login", state=state, nonce=nonce))
    identifier, password = ACCOUNTS["caf"]
    asked = location(submit_login(http, url, identifier, password))
    assert asked.endswith("/email"), "FranceConnect must not get an identity without email"
    page = page_text(http.get(path_of(asked)))
    assert "a besoin d'une adresse électronique" in page
    sent = http.post(path_of(asked), data={"csrf_token": csrf(page), "action": "send", "email": "camille.m@example.fr"})
    assert sent.status_code == 200 and "Un code de confirmation a été envoyé" in page_text(sent)
    wrong = http.post(path_of(asked), data={"csrf_token": csrf(page), "action": "confirm", "code": "000000"})
    assert wrong.status_code == 400
    [message] = [m for m in app.extensions["idp_notifier"].outbox() if m["to"] == "camille.m@example.fr"]
    code = re.search(r"\b(\d{6})\b", message["text"]).group(1)
    done = http.post(path_of(asked), data={"csrf_token": csrf(page), "action": "confirm", "code": code})
    callback = location(done)
    assert callback.startswith(FC_CALLBACK + "?") and query(callback)["state"] == state
    tokens = exchange(http, "caf", client_id, secret, query(callback)["code"], redirect_uri=FC_CALLBACK,
                      auth="post").get_json()
    identity = signed_userinfo(http, tokens["access_token"]).claims
    assert identity["email"] == "camille.m@example.fr" and identity["sub"] == account_id
    assert_franceconnect_accepts(identity)


def test_franceconnect_registered_pairwise_gets_one_sub_in_id_token_userinfo_and_its_logout_hint(http, app):
    """The FI profile is public by default (README, "Identifiants pairwise"); registered
    pairwise, FranceConnect gets a sub of its sector (its host) everywhere, and its logout
    through our end-session endpoint with that ID token is not asked for confirmation."""
    client_id, secret = register_franceconnect(app, subject_type="pairwise")
    account_id = account_with(app, BORN_IN_LYON)
    params, tokens = franceconnect_login(http, client_id, secret, random_alnum(32), random_alnum(32))
    sub = jwt.decode(tokens["id_token"], tenant_jwks(http), algorithms=["ES256"]).claims["sub"]
    assert re.fullmatch(r"[0-9a-f]{64}", sub) and sub != account_id
    identity = signed_userinfo(http, tokens["access_token"]).claims
    assert identity["sub"] == sub
    assert_franceconnect_accepts(identity)
    response = http.get("/caf/logout?" + urlencode({"id_token_hint": tokens["id_token"], "state": "s",
                                                    "post_logout_redirect_uri": FC_LOGOUT}))
    assert location(response) == FC_LOGOUT + "?state=s"
