"""A fake FranceConnect (or generic OP) behind requests-mock, and the keys it uses.

Each test builds a ``FakeUpstream`` on the ``requests_mock`` fixture, tweaks what it will
answer (claims, headers, keys, HTTP status) and runs a login through the real provider code.
Keys are generated once per session with joserfc.
"""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc import jwe, jwt
from joserfc.jwk import ECKey, OctKey, RSAKey

from providers.errors import UpstreamError

NOW = 1_700_000_000
CLIENT_ID = "a" * 64
CLIENT_SECRET = "s3cr3t-" + "b" * 57
REDIRECT_URI = "https://idp.example.fr/caf/federation/franceconnect/callback"
CODE = "the-authorization-code-0123456789"
ACCESS_TOKEN = "the-access-token-0123456789"
SUBJECT = "b6048e95bb134ec5b1d1e1fa69f287172e91722b9354d637a1bcf2ebb0fd2ef5v1"
PIVOT = {
    "given_name": "Angela Claire Louise",
    "family_name": "DUBOIS",
    "birthdate": "1962-08-24",
    "gender": "female",
    "birthplace": "75107",
    "birthcountry": "99100",
}


class FakeClock:
    """A clock tests can move: ``clock.now += 120``."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _key(kind: str, kid: str):
    if kind == "EC":
        return ECKey.generate_key("P-256", parameters={"kid": kid})
    return RSAKey.generate_key(2048, parameters={"kid": kid})


@pytest.fixture(scope="session")
def keys():
    """Signing keys of the upstream, and our encryption keys (private)."""
    return {
        "ec": _key("EC", "fc-es256"),
        "ec_other": _key("EC", "fc-es256"),  # same kid, other key: a forgery
        "ec_rotated": _key("EC", "fc-es256-2025"),
        "rsa": _key("RSA", "fc-rs256"),
        "enc_rsa": _key("RSA", "rp-enc-rsa"),
        "enc_ec": _key("EC", "rp-enc-ec"),
        "client_ec": _key("EC", "rp-client-auth"),
    }


def public(key) -> dict:
    return key.as_dict(private=False)


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


class FakeUpstream:
    """An OpenID Provider answering discovery, JWKS, token and userinfo through requests-mock."""

    def __init__(self, mocker, issuer: str, signing_key, *, alg: str | None = None, encrypt_to=None,
                 enc_alg: str = "RSA-OAEP-256", clock: FakeClock | None = None, client_id: str = CLIENT_ID) -> None:
        self.mocker, self.issuer, self.signing_key = mocker, issuer, signing_key
        self.alg = alg or ("ES256" if signing_key.key_type == "EC" else "RS256")
        self.encrypt_to, self.enc_alg, self.enc = encrypt_to, enc_alg, "A256GCM"
        self.clock = clock or FakeClock()
        self.client_id = client_id
        self.nonce = None
        self.acr = "eidas1"
        self.id_claims: dict = {}  # overrides; a None value removes the claim
        self.id_header: dict = {}
        self.id_token_factory = None  # callable(claims) -> raw token, to forge anything
        self.userinfo_claims: dict = {}
        self.userinfo_key = None
        self.userinfo_as_json = False
        self.userinfo_encrypt = None  # None: same as the ID token
        self.jwks_keys = [signing_key]
        self.token_requests = []
        self.routes = {}
        self.register()

    # -- endpoints ------------------------------------------------------------------------

    def discovery_document(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/session/end",
            "id_token_signing_alg_values_supported": ["ES256", "RS256"],
        }

    def register(self) -> None:
        self.routes["discovery"] = self.mocker.get(
            f"{self.issuer}/.well-known/openid-configuration", json=lambda r, c: self.discovery_document())
        self.routes["jwks"] = self.mocker.get(
            f"{self.issuer}/jwks", json=lambda r, c: {"keys": [public(k) for k in self.jwks_keys]})
        self.routes["token"] = self.mocker.post(f"{self.issuer}/token", json=self._token)
        self.routes["userinfo"] = self.mocker.get(f"{self.issuer}/userinfo", text=self._userinfo)

    def _token(self, request, context) -> dict:
        self.token_requests.append(request)
        return {
            "access_token": ACCESS_TOKEN,
            "token_type": "Bearer",
            "expires_in": 60,
            "id_token": self.make_id_token(),
            "scope": "openid identite_pivot email",
        }

    def _userinfo(self, request, context) -> str:
        assert request.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
        claims = {"sub": SUBJECT, **PIVOT, "email": "angela.dubois@example.fr", "preferred_username": "DUBOIS",
                  "iss": self.issuer, "aud": self.client_id, "iat": int(self.clock()), "exp": int(self.clock()) + 60}
        claims = _apply(claims, self.userinfo_claims)
        if self.userinfo_as_json:
            context.headers["Content-Type"] = "application/json"
            return json.dumps(claims)
        context.headers["Content-Type"] = "application/jwt; charset=utf-8"
        key = self.userinfo_key or self.signing_key
        signed = jwt.encode({"alg": self.alg, "kid": key.kid}, claims, key, algorithms=[self.alg])
        encrypt = self.encrypt_to if self.userinfo_encrypt is None else self.userinfo_encrypt
        return self.encrypt(signed) if encrypt else signed

    # -- tokens -----------------------------------------------------------------------------

    def id_token_claims(self) -> dict:
        now = int(self.clock())
        claims = {"iss": self.issuer, "aud": self.client_id, "sub": SUBJECT, "acr": self.acr, "amr": ["pwd"],
                  "auth_time": now - 5, "nonce": self.nonce, "iat": now, "exp": now + 60}
        return _apply(claims, self.id_claims)

    def make_id_token(self) -> str:
        claims = self.id_token_claims()
        if self.id_token_factory:
            return self.id_token_factory(claims)
        header = {"alg": self.alg, "kid": self.signing_key.kid, **self.id_header}
        signed = jwt.encode(header, claims, self.signing_key, algorithms=[header["alg"]])
        return self.encrypt(signed) if self.encrypt_to else signed

    def encrypt(self, signed: str) -> str:
        key = self.encrypt_to.__class__.import_key(public(self.encrypt_to))
        header = {"alg": self.enc_alg, "enc": self.enc, "cty": "JWT", "kid": key.kid}
        return jwe.encrypt_compact(header, signed, key, algorithms=[self.enc_alg, self.enc])


def _apply(claims: dict, overrides: dict) -> dict:
    merged = {**claims, **overrides}
    return {name: value for name, value in merged.items() if value is not None}


def unsigned_token(claims: dict) -> str:
    """An ``alg: none`` JWT (RFC 7519 §6): no signature at all."""
    return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."


def hs256_token(claims: dict, kid: str) -> str:
    """An HS256 JWT keyed with the client secret, as FranceConnect v1 did."""
    return jwt.encode({"alg": "HS256", "kid": kid}, claims, OctKey.import_key(CLIENT_SECRET), algorithms=["HS256"])


def login(provider, fake: FakeUpstream, *, redirect_uri: str = REDIRECT_URI, **callback):
    """Start a login, let the fake learn the nonce, and complete it with the callback."""
    _, pending = provider.authorization_url(redirect_uri)
    fake.nonce = pending.nonce
    params = {"code": CODE, "state": pending.state, **callback}
    return provider.complete({k: v for k, v in params.items() if v is not None}, pending)


def expect_error(expected: str, call, /, *args, **kwargs) -> UpstreamError:
    """Run ``call``, demand ``UpstreamError(code)`` and a detail free of secrets and tokens."""
    with pytest.raises(UpstreamError) as caught:
        call(*args, **kwargs)
    error = caught.value
    assert error.code == expected, f"expected {expected}, got {error.code}: {error.detail}"
    for secret in (CODE, ACCESS_TOKEN, CLIENT_SECRET, SUBJECT, *PIVOT.values()):
        assert secret not in str(error)
    assert not re.search(r"eyJ[\w-]+\.", str(error)), "a JWT leaked into the error"
    return error


def query(url: str) -> dict:
    parts = urlsplit(url)
    return {name: values[0] for name, values in parse_qs(parts.query).items()}
