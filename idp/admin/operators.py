"""Operator clients: who may call the admin API, on which tenants, with which roles.

An operator client is made with ``idp operators create --name N --tenant T --role R --json``
(printing ``client_id`` and ``client_secret``, the secret shown once); its secret is stored
as relying parties' secrets are, an HMAC under the server's pepper
(:func:`idp.clients.model.hash_client_secret`). It is not a relying party: it lives in its
own table (``operator_clients``), of no tenant, and no tenant's ``/token`` knows it.

``POST {public_url}/admin/token`` (``grant_type=client_credentials``, HTTP Basic) gives it a
bearer token: **a JWT signed HS256** with a key derived from ``[server] secret_key`` (never
a tenant's signing key: no relying party's token, and no ID token, can pass for it), living
``[admin] token_ttl`` seconds (300 by default), whose ``scope`` lists ``role:tenant`` pairs
(``users:caf keys:caf``). A signed token needs no table and no lookup to check; its short
life stands for revocation, and each call also checks that its operator still exists, so
``idp operators delete`` cuts an operator off at once.

**Throttling** (:func:`locked_for`, :func:`record_failure`): failed authentications at
``/admin/token`` are counted per presented ``client_id`` and per address in the shared
counters, with the login's rule (:func:`idp.security.counters.count_failure`) and the
``[admin]`` thresholds. While a pause lasts, the endpoint answers 429 with ``Retry-After``
before looking at the secret, so a guesser learns nothing from a try made during it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from flask import current_app, request
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from idp.clients.model import hash_client_secret, new_client_secret
from idp.security.audit import audit
from idp.security.counters import count_failure
from idp.store.db import db
from idp.store.models import OperatorClient

ROLES = ("clients", "users", "keys", "audit")
ALG = "HS256"


class OperatorError(ValueError):
    pass


def create_operator(name: str, tenants: list[str], roles: list[str]) -> tuple[OperatorClient, str]:
    """Store an operator client; returns the row and its clear secret (shown once)."""
    known = current_app.extensions["idp_tenants"]
    unknown = [t for t in tenants if t not in known]
    if unknown or not tenants:
        raise OperatorError(f"--tenant: unknown tenants {unknown}; known: {', '.join(known)}")
    if not roles or any(r not in ROLES for r in roles):
        raise OperatorError(f"--role: one or more of {', '.join(ROLES)}")
    secret = new_client_secret()
    row = OperatorClient(client_id="op-" + secrets.token_urlsafe(12), name=name, secret_hash=hash_client_secret(secret),
                         tenants=list(dict.fromkeys(tenants)), roles=list(dict.fromkeys(roles)))
    db.session.add(row)
    db.session.commit()

    for tenant in row.tenants:
        audit("admin.request", tenant=tenant, operator=row.client_id, operation="operators.create", status=201)
    return row, secret


def describe(row: OperatorClient) -> dict:
    return {"client_id": row.client_id, "name": row.name, "tenants": row.tenants, "roles": row.roles,
            "created_at": row.created_at}


def list_operators() -> list[OperatorClient]:
    return list(db.session.execute(db.select(OperatorClient).order_by(OperatorClient.created_at)).scalars())


def find_operator(client_id: str) -> OperatorClient | None:
    return db.session.execute(db.select(OperatorClient).where(OperatorClient.client_id == client_id)).scalar_one_or_none()


def delete_operator(client_id: str) -> bool:
    row = find_operator(client_id)
    if row is None:
        return False
    db.session.delete(row)
    db.session.commit()
    return True


def authenticate(client_id: str, secret: str) -> OperatorClient | None:
    """The operator whose secret this is, else None (compared in constant time)."""
    row = find_operator(client_id)
    if row is None:
        hash_client_secret(secret)   # the same work whether the client_id exists or not
        return None
    return row if hmac.compare_digest(row.secret_hash, hash_client_secret(secret)) else None


def _throttle_keys(client_id: str | None) -> list[tuple[str, str]]:
    """``(scope, counter key)``: the address always, the client_id when one was presented
    (hashed: any string a caller sends becomes a key of bounded size)."""
    keys = [("address", f"admin-token-ip:{request.remote_addr}")]
    if client_id:
        keys.append(("operator", f"admin-token:{hashlib.sha256(client_id.encode()).hexdigest()[:32]}"))
    return keys


def locked_for(client_id: str | None) -> int:
    """Seconds left on a pause of this client_id or of this address, 0 when none."""
    counters = current_app.extensions["idp_counters"]
    return max(counters.locked_for("lock:" + key) for _, key in _throttle_keys(client_id))


def record_failure(client_id: str | None) -> None:
    """A failed authentication, counted for the client_id and the address; a pause that
    starts is an ``admin.locked`` event."""
    settings = current_app.config["IDP_SETTINGS"].admin
    counters = current_app.extensions["idp_counters"]
    thresholds = {"operator": settings.max_failures, "address": settings.max_failures_per_address}
    for scope, key in _throttle_keys(client_id):
        seconds = count_failure(counters, key, thresholds[scope], settings.lockout_seconds)
        if seconds:
            audit("admin.locked", "failure", scope=scope, operator=client_id, seconds=seconds)


def _key() -> OctKey:
    secret_key = current_app.config["IDP_SETTINGS"].server.secret_key
    return OctKey.import_key(hmac.new(secret_key.encode(), b"idp admin API bearer tokens", hashlib.sha256).digest())


def _issuer() -> str:
    return current_app.config["IDP_SETTINGS"].server.public_url.rstrip("/") + "/admin"


def issue_token(row: OperatorClient) -> dict:
    """The token response (RFC 6749 §5.1) for an authenticated operator."""
    ttl = current_app.config["IDP_SETTINGS"].admin.token_ttl
    now = int(time.time())
    scope = " ".join(f"{role}:{tenant}" for tenant in row.tenants for role in row.roles)
    claims = {"iss": _issuer(), "aud": _issuer(), "sub": row.client_id, "iat": now, "exp": now + ttl,
              "jti": secrets.token_urlsafe(12), "scope": scope}
    token = jwt.encode({"alg": ALG, "typ": "at+jwt"}, claims, _key(), algorithms=[ALG])
    return {"access_token": token, "token_type": "Bearer", "expires_in": ttl, "scope": scope}


def verify_token(token: str) -> dict | None:
    """The claims of a valid, unexpired admin token, else None (a relying party's token, an
    ID token, a forged or expired one)."""
    try:
        claims = jwt.decode(token, _key(), algorithms=[ALG]).claims
    except (JoseError, ValueError, TypeError):
        return None
    now = time.time()
    if claims.get("iss") != _issuer() or claims.get("aud") != _issuer() or not isinstance(claims.get("exp"), int):
        return None
    if claims["exp"] <= now or not isinstance(claims.get("scope"), str) or not isinstance(claims.get("sub"), str):
        return None
    return claims


def scopes(claims: dict) -> set[tuple[str, str]]:
    """``{(role, tenant)}`` of a token's claims."""
    return {tuple(item.split(":", 1)) for item in claims["scope"].split() if ":" in item}
