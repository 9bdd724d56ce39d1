"""A DPoP client's side (RFC 9449): its key, its proofs, the server nonce it would be told."""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid

from joserfc import jws
from joserfc.jwk import ECKey

TOKEN = "http://idp.test/caf/token"
USERINFO = "http://idp.test/caf/userinfo"


def new_key():
    return ECKey.generate_key("P-256", private=True)


def proof(key, htu=TOKEN, htm="POST", nonce=None, ath=None, alg="ES256", typ="dpop+jwt", jwk=None,
          iat=None, jti=None, **extra):
    header = {"typ": typ, "alg": alg, "jwk": jwk if jwk is not None else key.as_dict(private=False)}
    claims = {"htm": htm, "htu": htu, "iat": int(time.time()) if iat is None else iat,
              "jti": jti or uuid.uuid4().hex, **extra}
    if nonce:
        claims["nonce"] = nonce
    if ath:
        claims["ath"] = ath
    return jws.serialize_compact(header, json.dumps(claims), key, algorithms=[alg])


def server_nonce(app, tenant="caf"):
    """The nonce the token endpoint's ``DPoP-Nonce`` would give now."""
    from flask import g

    from idp.oidc import dpop

    with app.test_request_context(f"/{tenant}/token"):
        g.tenant = app.extensions["idp_tenants"][tenant]
        return dpop.current_nonce()


def ath_of(token):
    return base64.urlsafe_b64encode(hashlib.sha256(token.encode()).digest()).rstrip(b"=").decode()
