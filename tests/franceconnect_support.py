"""The FranceConnect stand-in wired to the test app, and the browser's walk through it.

The IdP side runs in Flask's test client (``http``); FranceConnect's pages are real HTTP to
the stand-in (``requests``); the IdP's calls to FranceConnect (token, userinfo, keys) are
real HTTP too."""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import replace

import requests
from joserfc import jwt
from joserfc.jwk import KeySet

from devtools.fc_standin.server import choose_identity, running_standin
from helpers import authorize, csrf, exchange, location, page_text, path_of, pkce_pair, query

TENANTS = ("caf", "ameli", "mairie")
CNI = "AB12CD34E"                 # a well-formed CNI number the embedded verifier accepts


@contextmanager
def franceconnect_for(app, tenants=TENANTS, identities=None):
    """Start the stand-in with the app's FranceConnect client registered, and point each
    tenant's FranceConnect client at it."""
    from idp.federation import provider
    from providers.franceconnect import FranceConnect

    settings = app.config["IDP_SETTINGS"]
    section = settings.providers.franceconnect
    public = settings.server.public_url
    clients = [{"client_id": section.client_id, "client_secret": section.client_secret,
                "redirect_uris": [f"{public}/{t}/franceconnect/callback" for t in tenants],
                "post_logout_redirect_uris": [f"{public}/{t}/franceconnect/logout-callback" for t in tenants]}]
    with running_standin(clients, identities) as standin:
        cache = app.extensions.setdefault("idp_franceconnect", {})
        with app.test_request_context():
            for slug in tenants:
                config = provider._config(slug)
                cache[slug] = FranceConnect(replace(config, discovery_url=standin.discovery_url))
        try:
            yield standin
        finally:
            cache.clear()


def press_button(http, tenant: str, page_html: str, interaction: str | None):
    """POST the FranceConnect button of an IdP page; returns FranceConnect's authorize URL."""
    from helpers import csrf

    data = {"csrf_token": csrf(page_html)}
    if interaction:
        data["interaction"] = interaction
    return location(http.post(f"/{tenant}/franceconnect/start", data=data))


def through_franceconnect(http, authorize_url: str, login: str, refuse: bool = False):
    """Choose an identity on the stand-in; returns the IdP's response to the callback."""
    browser = requests.Session()
    chooser = browser.get(authorize_url, timeout=10)
    assert chooser.status_code == 200, chooser.text[:300]
    back = choose_identity(browser, chooser, login, refuse=refuse)
    assert back.status_code in (302, 303), back.text[:300]
    return http.get(path_of(back.headers["Location"]))


# -- the journeys of tests/flows ---------------------------------------------------------

def rows(app, model, **filters):
    from idp.store.db import db

    with app.app_context():
        return db.session.execute(db.select(model).filter_by(**filters)).scalars().all()


def start_from_rp(http, tenant, client_id, **params):
    """The relying party's authorize → the IdP's login page → the FranceConnect button."""
    verifier, challenge = pkce_pair()
    login_url = location(authorize(http, tenant, client_id, code_challenge=challenge, code_challenge_method="S256",
                                   scope="openid profile email", **params))
    page = page_text(http.get(path_of(login_url)))
    assert "S’identifier avec" in page and "Qu’est-ce que FranceConnect ?" in page
    handle = re.search(r'name="interaction" value="([^"]+)"', page).group(1)
    return verifier, press_button(http, tenant, page, handle)


def finish_at_rp(http, app, tenant, client_id, secret, verifier, response):
    """Resume the relying party's request and exchange the code; returns the ID token claims."""
    url = location(response)
    while "/resume" in url or "/interaction/" in url:
        url = location(http.get(path_of(url)))
    assert url.startswith("https://rp.example/cb"), url
    tokens = exchange(http, tenant, client_id, secret, query(url)["code"], verifier).get_json()
    with app.app_context():
        from idp.store.keystore import keyring

        keys = KeySet.import_key_set(keyring(tenant).jwks)
    return jwt.decode(tokens["id_token"], keys).claims, tokens


def create_account(http, tenant, complete_response, **fields):
    assert location(complete_response).endswith(f"/{tenant}/franceconnect/complete")
    page = http.get(f"/{tenant}/franceconnect/complete")
    html = page_text(page)
    data = {"csrf_token": csrf(html), "cgu": "on"}
    email = re.search(r'id="email" name="email" type="email" value="([^"]*)"', html).group(1)
    data["email"] = email
    proposed = re.search(r'id="identifier" name="identifier" type="text" value="([^"]*)"', html)
    if proposed and proposed.group(1):
        data["identifier"] = proposed.group(1)
    if 'name="document_kind"' in html:        # caf: the identity document, as its own signup asks
        data.update(document_kind="cni", document_number=CNI)
    data.update(fields)
    return html, http.post(f"/{tenant}/franceconnect/complete", data=data)
