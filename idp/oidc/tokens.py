"""Access tokens as signed JWTs (RFC 9068), refresh tokens, and their revocation.

Access tokens are verified without a database read (signature, ``exp``, ``iss``); a revoked
one goes on the deny list keyed by ``jti`` until it would have expired. client_credentials
tokens write nothing. Tokens issued to a person are recorded by ``jti`` so that a replayed
code, a reused refresh token or a logout can revoke them.
"""

from __future__ import annotations

import base64
import json
import logging
import time
import uuid
from datetime import timedelta

from flask import current_app, g
from joserfc.errors import JoseError

from idp.clients.profiles import profile_of
from idp.oidc import dpop
from idp.oidc.context import AuthContext
from idp.oidc.errors import InvalidToken
from idp.oidc.subjects import sub_for
from idp.security.audit import audit
from idp.store.db import WROTE, db, digest, insert_missing, new_secret, scoped, scoped_update, utcnow
from idp.store.keystore import keyring
from idp.store.models import AuthorizationCode, IssuedAccessToken, RefreshToken, RevokedToken

log = logging.getLogger("idp.tokens")
ACCESS_TOKEN_ALG = "ES256"


def _settings():
    return current_app.config["IDP_SETTINGS"]


class AccessTokenGenerator:
    """Authlib token generator: a JWT access token and, when asked, a random refresh token."""

    def __call__(self, grant_type, client, user=None, scope=None, expires_in=None,
                 include_refresh_token=True):
        # a client's profile may cap it (FranceConnect: franceconnect.md §7)
        ttl = profile_of(client).access_token_ttl(expires_in or _settings().tokens.access_token_ttl)
        now = int(time.time())
        jti = uuid.uuid4().hex
        claims = {
            "iss": g.tenant.issuer, "aud": g.tenant.issuer, "client_id": client.get_client_id(),
            "iat": now, "exp": now + ttl, "jti": jti, "scope": scope or "",
        }
        if isinstance(user, AuthContext):
            claims.update(sub=sub_for(client, user.account.id), auth_time=user.auth_time)
            if user.acr:
                claims["acr"] = user.acr
            if user.amr:
                claims["amr"] = user.amr
            if user.sid:
                claims["sid"] = user.sid
            userinfo_claims = sorted((user.claims_request or {}).get("userinfo") or {})
            if userinfo_claims:
                claims["userinfo_claims"] = userinfo_claims
        else:
            claims["sub"] = client.get_client_id()
        jkt = dpop.binding_for(client)   # RFC 9449 §6: bound to the proof's key
        if jkt:
            claims["cnf"] = {"jkt": jkt}
        token = {
            "token_type": "DPoP" if jkt else "Bearer",
            "access_token": keyring(g.tenant.slug).sign(claims, ACCESS_TOKEN_ALG, typ="at+jwt"),
            "expires_in": ttl,
        }
        if scope:
            token["scope"] = scope
        if include_refresh_token and isinstance(user, AuthContext):
            token["refresh_token"] = new_secret(32)
        return token


def _jti_and_exp(access_token: str) -> tuple[str, int]:
    """What :func:`record_user_tokens` stores of the access token just signed, read from the
    token itself (unverified: it has not left this request), so that no side channel carries
    it from the generator to the grant."""
    payload = access_token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims["jti"], claims["exp"]


def record_user_tokens(token: dict, client_id: str, ctx: AuthContext, scope: str,
                       new_refresh_token: bool = True, dpop_jkt: str | None = None) -> None:
    """Persist what is needed to revoke later: the access-token jti and the refresh token
    (unless it is a successor issued again within the rotation grace period), in the token
    request's one transaction with what the grant did before (the code's burn, the refresh
    token's rotation): the token endpoint commits it once its answer is ready
    (:func:`idp.oidc.views.token`)."""
    jti, exp = _jti_and_exp(token["access_token"])
    tenant = g.tenant.slug
    # INSERT statements, not objects added to the session: nothing reads these rows in this
    # request, and the ORM's unit of work (instances, identity map, flush ordering at the
    # commit) cost more than the two statements; the statements are built once (their values
    # are parameters), so SQLAlchemy neither coerces each value nor computes a new cache key
    # (bench/RESULTS.md, issue 15). Same rows (the columns' defaults apply), same order, same
    # transaction: run on the session's connection as Core statements (no ORM execution layer;
    # nothing pending in the session depends on them), the session told it wrote, so the
    # request's commit_request commits them.
    connection = db.session.connection()
    db.session.info[WROTE] = True
    connection.execute(_INSERT_ISSUED, {
        "tenant": tenant, "jti": jti, "family_id": ctx.family_id, "client_id": client_id, "sid": ctx.sid,
        "expires_at": utcnow() + timedelta(seconds=exp - int(time.time())),
    })
    if "refresh_token" in token and new_refresh_token:
        connection.execute(_INSERT_REFRESH, {
            "tenant": tenant, "token_hash": digest(token["refresh_token"]), "family_id": ctx.family_id,
            "client_id": client_id, "account_id": ctx.account.id, "scope": scope,
            "auth_time": ctx.auth_time, "acr": ctx.acr, "amr": ctx.amr, "sid": ctx.sid, "dpop_jkt": dpop_jkt,
            "expires_at": utcnow() + timedelta(seconds=_settings().tokens.refresh_token_ttl),
        })


_INSERT_ISSUED = IssuedAccessToken.__table__.insert()
_INSERT_REFRESH = RefreshToken.__table__.insert()


def deny_access_token(jti: str, expires_at) -> None:
    """Put a jti on the deny list; already there is fine: the losers of a code replayed by
    twenty requests at once all revoke the same family (committed by the caller)."""
    insert_missing(RevokedToken, ("jti",), jti=jti, expires_at=expires_at)


def revoke_family(family_id: str, reason: str, commit: bool = True) -> int:
    """Revoke every refresh and access token of a family (one code exchange and its rotations).

    Committed here by default: a replayed code or a reused refresh token is answered with an
    error, and the revocation must stand although that request fails (the token endpoint
    commits only what succeeded). Every other caller passes ``commit=False`` and revokes in
    its request's one transaction."""
    now = utcnow()
    db.session.execute(
        scoped_update(RefreshToken, family_id=family_id)
        .where(RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    issued = db.session.execute(scoped(IssuedAccessToken, family_id=family_id)).scalars().all()
    for row in issued:
        deny_access_token(row.jti, row.expires_at)
    if commit:
        db.session.commit()
    audit("tokens.revoked", family=family_id, reason=reason, count=len(issued))
    return len(issued)


def void_session_codes(sid: str) -> None:
    """The session's codes not yet redeemed die with it (they would redeem after a logout).

    An exchange in flight holds its code's row until its tokens are written (see
    ``grants._burn_code``): this UPDATE waits for it, and the tokens it wrote are then among
    those :func:`revoke_session_tokens` finds next."""
    now = utcnow()
    db.session.execute(
        scoped_update(AuthorizationCode, sid=sid)
        .where(AuthorizationCode.used_at.is_(None), AuthorizationCode.expires_at > now)
        .values(expires_at=now)
    )


def revoke_session_tokens(sid: str, commit: bool = True) -> None:
    """Logout: void the session's unused codes, end its refresh and access tokens (in one
    transaction, the caller's when ``commit`` is false). The families are found through the
    refresh tokens too: ``idp purge`` deletes access-token rows minutes after they expire,
    while the refresh tokens of the same family live for days."""
    void_session_codes(sid)
    families = db.session.execute(
        scoped(IssuedAccessToken, sid=sid).with_only_columns(IssuedAccessToken.family_id)
        .union(scoped(RefreshToken, sid=sid).where(RefreshToken.revoked_at.is_(None))
               .with_only_columns(RefreshToken.family_id))
    ).scalars().all()
    for family in families:
        revoke_family(family, "logout", commit=False)
    if commit:
        db.session.commit()


def is_denied(jti: str) -> bool:
    return db.session.get(RevokedToken, jti) is not None


def verify_access_token(token: str) -> dict:
    """Claims of a live access token of the current tenant, or :class:`InvalidToken`."""
    try:
        decoded = keyring(g.tenant.slug).verify(token, algorithms=(ACCESS_TOKEN_ALG, "RS256"))
    except (JoseError, ValueError, LookupError) as exc:
        raise InvalidToken("the access token is malformed or not signed by this issuer") from exc
    claims = decoded.claims
    if decoded.header.get("typ") != "at+jwt":
        raise InvalidToken("not an access token")
    if claims.get("iss") != g.tenant.issuer:
        raise InvalidToken("the access token was issued by another issuer")
    if int(claims.get("exp", 0)) <= time.time():
        raise InvalidToken("the access token has expired")
    if is_denied(claims.get("jti", "")):
        raise InvalidToken("the access token has been revoked")
    return claims
