"""Helpers that drive the provider like a relying party and a browser would."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

from idp.oidc.claims import SUPPORTED_SCOPES

REDIRECT = "https://rp.example/cb"
POST_LOGOUT = "https://rp.example/bye"
ACCOUNTS = {
    "caf": ("1840312345678", "Allocation2024"),
    "ameli": ("2910775123456", "Sante-2024!"),
    "mairie": ("jean.dupont", "Mairie2024Demo"),
}


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def make_client(app, tenant="caf", **options):
    from idp.clients.admin import create_client

    defaults = dict(name="RP de test", redirect_uris=[REDIRECT], post_logout_redirect_uris=[POST_LOGOUT],
                    scope=" ".join(SUPPORTED_SCOPES),
                    grant_types=["authorization_code", "refresh_token", "client_credentials"])
    if options.get("public"):
        defaults["grant_types"] = ["authorization_code", "refresh_token"]
    defaults.update(options)
    with app.app_context():
        row, secret = create_client(tenant, **defaults)
        return row.client_id, secret


def make_account(app, tenant="caf", identifier=None, password=None, **fields):
    from idp.accounts.service import create_account

    ident, pwd = ACCOUNTS[tenant]
    fields.setdefault("given_name", "Camille")
    fields.setdefault("family_name", "Martin")
    fields.setdefault("email", "camille@example.fr")
    fields.setdefault("birthdate", "1984-03-12")
    with app.app_context():
        tenant_obj = app.extensions["idp_tenants"][tenant]
        result = create_account(app.config["IDP_SETTINGS"], tenant_obj, identifier or ident, password or pwd, **fields)
        assert result.account is not None, result.errors
        return result.account.id


def location(response) -> str:
    assert response.status_code in (302, 303), (response.status_code, response.get_data(as_text=True)[:500])
    return response.headers["Location"]


def query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def authorize(http, tenant, client_id, method="GET", **params):
    data = {"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT,
            "scope": "openid", "state": "st4te", "nonce": "n0nce"}
    data.update({k: v for k, v in params.items()})
    data = {k: v for k, v in data.items() if v is not None}
    if method == "POST":
        return http.post(f"/{tenant}/authorize", data=data)
    return http.get(f"/{tenant}/authorize?{urlencode(data)}")


def submit_login(http, login_url, identifier, password):
    page = http.get(path_of(login_url))
    assert page.status_code == 200, page.get_data(as_text=True)[:300]
    return http.post(path_of(login_url), data={
        "csrf_token": csrf(page.get_data(as_text=True)), "identifier": identifier, "password": password})


def submit_consent(http, consent_url, decision="allow"):
    page = http.get(path_of(consent_url))
    assert page.status_code == 200, page.get_data(as_text=True)[:300]
    return http.post(path_of(consent_url), data={"csrf_token": csrf(page.get_data(as_text=True)), "decision": decision})


def login_flow(http, tenant, client_id, identifier=None, password=None, consent=True, **params):
    """authorize → login → (consent) → redirect to the client; returns the final Location."""
    ident, pwd = ACCOUNTS[tenant]
    response = authorize(http, tenant, client_id, **params)
    url = location(response)
    if "/interaction/" in url and not url.endswith("/consent") and "/resume" not in url:
        url = location(submit_login(http, url, identifier or ident, password or pwd))  # to the client or consent
    if url.endswith("/consent"):
        assert consent, "unexpected consent page"
        url = location(submit_consent(http, url))
        url = location(http.get(path_of(url)))
    return url


def exchange(http, tenant, client_id, secret, code, verifier=None, redirect_uri=REDIRECT, auth="basic"):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if verifier:
        data["code_verifier"] = verifier
    return token_request(http, tenant, client_id, secret, data, auth)


def token_request(http, tenant, client_id, secret, data, auth="basic"):
    headers = {}
    if auth == "basic" and secret:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    elif auth == "post" and secret:
        data = {**data, "client_id": client_id, "client_secret": secret}
    else:
        data = {**data, "client_id": client_id}
    return http.post(f"/{tenant}/token", data=data, headers=headers)


def code_tokens(http, app, tenant="caf", scope="openid profile email", **client_options):
    """A full code flow for a fresh confidential client; returns (client_id, secret, tokens)."""
    client_id, secret = make_client(app, tenant, first_party=True, **client_options)
    make_account(app, tenant)
    verifier, challenge = pkce_pair()
    url = login_flow(http, tenant, client_id, scope=scope, code_challenge=challenge,
                     code_challenge_method="S256")
    response = exchange(http, tenant, client_id, secret, query(url)["code"], verifier)
    assert response.status_code == 200, response.get_json()
    return client_id, secret, response.get_json()


def page_text(response) -> str:
    """The page as a person reads it (HTML entities such as &#39; decoded)."""
    import html

    return html.unescape(response.get_data(as_text=True))


def past_refresh_grace(monkeypatch, app) -> None:
    """Move the refresh rotation's clock past its grace period: a rotated token presented
    from now on is reuse (the period is seconds long; tests do not wait for it)."""
    from datetime import timedelta

    import idp.oidc.refresh_rotation as rotation

    real, grace = rotation.utcnow, app.config["IDP_SETTINGS"].tokens.refresh_rotation_grace_period
    monkeypatch.setattr(rotation, "utcnow", lambda: real() + timedelta(seconds=grace + 1))
