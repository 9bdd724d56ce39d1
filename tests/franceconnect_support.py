"""The FranceConnect stand-in wired to the test app, and the browser's walk through it.

The IdP side runs in Flask's test client (``http``); FranceConnect's pages are real HTTP to
the stand-in (``requests``); the IdP's calls to FranceConnect (token, userinfo, keys) are
real HTTP too."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace

import requests

from devtools.fc_standin.server import choose_identity, running_standin
from helpers import location, path_of

TENANTS = ("caf", "ameli", "mairie")


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
