"""Helpers for the FranceConnect stand-in tests: the test client, PKCE, a browser-like login."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from joserfc import jwt
from joserfc.jwk import KeySet

from devtools.fc_standin import choose_identity

CLIENT_ID = "idp-service-public-dev"
CLIENT_SECRET = "s" * 40
REDIRECT_URI = "http://127.0.0.1:5000/callback/franceconnect"
POST_LOGOUT_URI = "http://127.0.0.1:5000/logout/franceconnect"
CLIENT = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": [REDIRECT_URI],
          "post_logout_redirect_uris": [POST_LOGOUT_URI]}
OTHER_CLIENT = {"client_id": "autre-fs", "client_secret": "o" * 40,
                "redirect_uris": ["http://127.0.0.1:6000/cb"], "post_logout_redirect_uris": []}


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_params(**overrides) -> dict:
    params = {"client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "response_type": "code",
              "scope": "openid identite_pivot email preferred_username", "acr_values": "eidas1",
              "state": secrets.token_urlsafe(24), "nonce": secrets.token_urlsafe(24)}
    params.update(overrides)
    return {name: value for name, value in params.items() if value is not None}


def authorize(standin, **overrides) -> requests.Response:
    return requests.get(f"{standin.issuer}/authorize?{urlencode(authorize_params(**overrides))}",
                        allow_redirects=False, timeout=10)


def query_of(response: requests.Response) -> dict:
    location = response.headers["Location"]
    return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}


def login(standin, login_name: str, **overrides) -> tuple[dict, dict]:
    """Authorize then pick ``login_name``: the authorize params and the callback query."""
    params = authorize_params(**overrides)
    session = requests.Session()
    chooser = session.get(f"{standin.issuer}/authorize", params=params, timeout=10)
    assert chooser.status_code == 200, chooser.text
    callback = choose_identity(session, chooser, login_name)
    assert callback.status_code == 302
    return params, query_of(callback)


def redeem(standin, code: str, *, secret: str = CLIENT_SECRET, **extra) -> requests.Response:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
            "client_id": CLIENT_ID, "client_secret": secret, **extra}
    return requests.post(f"{standin.issuer}/token", data=form, timeout=10)


def tokens_for(standin, login_name: str, **overrides) -> tuple[dict, dict]:
    """A full code flow with PKCE: the authorize params and the token response."""
    verifier, challenge = pkce_pair()
    params, callback = login(standin, login_name, code_challenge=challenge,
                             code_challenge_method="S256", **overrides)
    response = redeem(standin, callback["code"], code_verifier=verifier)
    assert response.status_code == 200, response.text
    return params, response.json()


def verified(standin, token: str) -> dict:
    """The claims of a JWT verified with the keys published at the discovery's jwks_uri."""
    discovery = requests.get(standin.discovery_url, timeout=10).json()
    keys = KeySet.import_key_set(requests.get(discovery["jwks_uri"], timeout=10).json())
    return dict(jwt.decode(token, keys, algorithms=["ES256"]).claims)
