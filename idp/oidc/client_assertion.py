"""``private_key_jwt`` client authentication (RFC 7523 §2.2 and §3, OIDC Core §9).

Authlib checks the signature, ``iss`` = ``sub`` = the client, ``aud`` (this tenant's token
endpoint or issuer) and ``exp``. On top of it:

- an assertion lives at most :data:`MAX_LIFETIME` seconds (5 minutes): ``exp - iat`` when
  it has an ``iat``, ``exp - now`` when it has none. RFC 7523 §3 lets the server "reject JWTs
  with an exp claim value that is unreasonably far in the future"; a client makes a fresh
  assertion per request, so minutes are plenty, and a bound lifetime bounds the replay memory;
- each ``jti`` is remembered until the assertion expires (``exp`` plus the clock leeway), in
  the database (:class:`~idp.store.models.UsedAssertion`, one insert that only one request can
  make, as Hydra's jti blacklist), so that no worker accepts it twice while any worker would
  still accept it once (RFC 7523 §3 item 7). Not in the shared counters: they fall back to
  each process's memory when Redis is down, and an assertion was then accepted once per
  worker, and again by all of them once Redis was back (it never saw it);
- a client without registered keys (one that authenticates otherwise, or none) is refused
  with ``invalid_client`` before anything is decoded.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from datetime import datetime, timezone

from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from flask import g
from joserfc.errors import JoseError
from idp.oidc.errors import InvalidClient
from idp.security.audit import audit
from idp.store.db import db, inserted_once, scoped_delete, utcnow
from idp.store.models import UsedAssertion

MAX_LIFETIME = 300  # seconds between iat (or now) and exp
LEEWAY = 30  # clock skew allowed on exp, iat and nbf


def lifetime_error(claims: dict, now: float) -> str | None:
    """Why the assertion lives too long, or None; ``exp``/``iat`` are NumericDates here."""
    exp, iat = claims["exp"], claims.get("iat")
    if iat is not None and exp - iat > MAX_LIFETIME:
        return f"The assertion lives longer than {MAX_LIFETIME} seconds (exp - iat)."
    if iat is None and exp - now > MAX_LIFETIME + LEEWAY:
        return f"The assertion expires more than {MAX_LIFETIME} seconds from now."
    return None


def replay_key(tenant: str, client_id: str, jti: str) -> str:
    # hashed: a jti is the client's free text, of any length
    text = f"{tenant}\0{client_id}\0{jti}".encode("utf-8", "surrogatepass")  # JSON allows lone surrogates
    return hashlib.sha256(text).hexdigest()


def first_use(client_id: str, jti: str, expires_at: float) -> bool:
    """Remember the assertion until ``expires_at``; False when it was already used. Committed
    at once, whatever the grant does next: a refused grant must not forget the assertion."""
    key = replay_key(g.tenant.slug, client_id, jti)
    db.session.execute(scoped_delete(UsedAssertion, key=key).where(UsedAssertion.expires_at <= utcnow()))
    until = datetime.fromtimestamp(expires_at, timezone.utc).replace(tzinfo=None)
    first = inserted_once(UsedAssertion, ("key",), key=key, tenant=g.tenant.slug, expires_at=until)
    db.session.commit()
    return first


def _header_alg(assertion: str):
    head = assertion.split(".")[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (ValueError, UnicodeDecodeError):
        return None
    return header.get("alg") if isinstance(header, dict) else None


def refused(client_id: str, reason: str, description: str) -> InvalidClient:
    audit("client_assertion", "failure", reason=reason, client_id=client_id)
    return InvalidClient(description)


class PrivateKeyJWT(JWTBearerClientAssertion):
    CLIENT_AUTH_METHOD = "private_key_jwt"

    def __init__(self):
        # the jti is checked in verify_claims, once the lifetime is known to be short
        super().__init__(validate_jti=False, leeway=LEEWAY)

    def get_audiences(self):
        # RFC 9126 §2: the pushed authorization request endpoint's URL is an audience too
        return [f"{g.tenant.issuer}/token", g.tenant.issuer, f"{g.tenant.issuer}/par"]

    def verify_claims(self, claims):
        super().verify_claims(claims)  # types, iss = sub, aud, exp, iat and nbf with leeway
        now = time.time()
        reason = lifetime_error(claims, now)
        if reason:
            raise refused(claims["sub"], "lifetime", reason)
        if "jti" not in claims:
            raise InvalidClient("Missing JWT ID.")
        if not first_use(claims["sub"], claims["jti"], max(now + 1, claims["exp"] + LEEWAY + 1)):
            raise refused(claims["sub"], "replayed", "JWT ID is used before.")

    def process_assertion_claims(self, assertion, resolve_key):
        """A profile may allow fewer algorithms (FAPI 2.0: ES256, PS256); the key resolved
        just before names the client (Authlib's order: key, then claims)."""
        algs = getattr(g, "assertion_algs", None)
        if algs:
            alg = _header_alg(assertion)
            if alg not in algs:
                raise refused(getattr(g, "assertion_client", ""), "alg",
                              f"The assertion must be signed with {' or '.join(algs)}.")
        return super().process_assertion_claims(assertion, resolve_key)

    def resolve_client_public_key(self, client):
        g.assertion_algs, g.assertion_client = client.profile.signing_algs, client.client_id
        if client.row.auth_method != self.CLIENT_AUTH_METHOD or not client.row.jwks:
            raise refused(client.client_id, "no_keys", "The client is not registered for private_key_jwt.")
        try:
            return client.public_keys()
        except (JoseError, ValueError, KeyError, TypeError):
            raise InvalidClient("The client's registered keys cannot be used.") from None
