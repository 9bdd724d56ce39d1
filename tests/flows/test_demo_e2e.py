"""End to end: a real HTTP server, the demo relying party, login and consent pages, and the
ID token checked against the published JWKS by the relying party and again here."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import KeySet

from live import live_server  # noqa: F401  (fixture)


def _form(html: str, action_contains: str) -> tuple[str, dict]:
    """The form posting to ``action_contains``, with its hidden fields (like a browser)."""
    for match in re.finditer(r'<form method="post" action="([^"]+)"(.*?)</form>', html, re.S):
        action, body = match.group(1), match.group(2)
        if action_contains in action:
            fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body))
            return action.replace("&amp;", "&"), fields
    raise AssertionError(f"no form for {action_contains}: {html[:400]}")


@pytest.mark.parametrize("tenant", ["caf", "mairie"])
def test_demo_relying_party_login_and_consent(live_server, tenant):
    base, demo, _ = live_server
    browser = requests.Session()
    page = browser.get(f"{base}/demo/{tenant}/")
    assert "Se connecter avec" in page.text
    login = browser.get(f"{base}/demo/{tenant}/login")
    assert f"/{tenant}/interaction/" in login.url
    action, fields = _form(login.text, "/interaction/")
    fields.update(identifier=demo[tenant]["identifier"], password=demo[tenant]["password"])
    consent = browser.post(urljoin(login.url, action), data=fields)
    assert consent.url.endswith("/consent") and "Autoriser" in consent.text
    action, fields = _form(consent.text, "/consent")
    fields["decision"] = "allow"
    result = browser.post(urljoin(consent.url, action), data=fields)
    assert result.status_code == 200, result.text[:500]
    assert result.url == f"{base}/demo/{tenant}/"
    assert "Connexion réussie" in result.text
    claims_text = re.search(r'<pre id="id-token-claims"[^>]*>(.*?)</pre>', result.text, re.S).group(1)
    assert f"&#34;iss&#34;: &#34;{base}/{tenant}&#34;" in claims_text or f'"iss": "{base}/{tenant}"' in claims_text
    assert "Camille" in result.text or "Jean" in result.text  # userinfo reached the RP

    # Check the RP's ID token ourselves against the published JWKS, and log out.
    logout = browser.get(f"{base}/demo/{tenant}/logout", allow_redirects=False)
    hint = re.search(r"id_token_hint=([^&]+)", logout.headers["Location"]).group(1)
    keys = KeySet.import_key_set(requests.get(f"{base}/{tenant}/jwks.json", timeout=5).json())
    claims = jwt.decode(hint, keys, algorithms=["RS256"]).claims
    assert claims["aud"] == ["demo-rp"] and claims["iss"] == f"{base}/{tenant}"
    back = browser.get(logout.headers["Location"])
    assert back.url.startswith(f"{base}/demo/{tenant}/") and "Se connecter avec" in back.text
