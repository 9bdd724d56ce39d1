"""Access tokens as signed JWTs (RFC 9068), refresh tokens, and their revocation.

Access tokens are verified without a database read (signature, ``exp``, ``iss``); a revoked
one goes on the deny list keyed by ``jti`` until it would have expired. client_credentials
tokens write nothing. Tokens issued to a person are recorded by ``jti`` so that a replayed
code, a reused refresh token or a logout can revoke them.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import timedelta

from flask import current_app, g
from joserfc.errors import JoseError
from sqlalchemy import select, update

from idp.store.db import db, digest, insert_missing, new_secret, scoped, utcnow
from idp.store.keystore import keyring
from idp.store.models import AuthorizationCode, IssuedAccessToken, RefreshToken, RevokedToken
from idp.oidc import franceconnect_fi
from idp.oidc.context import AuthContext

log = logging.getLogger("idp.tokens")
ACCESS_TOKEN_ALG = "ES256"
# FranceConnect reads userinfo once, right after the code exchange, and asks its identity
# providers for very short-lived access tokens (franceconnect.md §7); its own last 60 s.
FRANCECONNECT_ACCESS_TTL = 60


def _settings():
    return current_app.config["IDP_SETTINGS"]


class AccessTokenGenerator:
    """Authlib token generator: a JWT access token and, when asked, a random refresh token."""

    def __call__(self, grant_type, client, user=None, scope=None, expires_in=None,
                 include_refresh_token=True):
        ttl = expires_in or _settings().tokens.access_token_ttl
        if getattr(client, "profile", None) == franceconnect_fi.PROFILE:
            ttl = min(ttl, FRANCECONNECT_ACCESS_TTL)
        now = int(time.time())
        jti = uuid.uuid4().hex
        claims = {
            "iss": g.tenant.issuer, "aud": g.tenant.issuer, "client_id": client.get_client_id(),
            "iat": now, "exp": now + ttl, "jti": jti, "scope": scope or "",
        }
        if isinstance(user, AuthContext):
            claims.update(sub=user.account.id, auth_time=user.auth_time)
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
        token = {
            "token_type": "Bearer",
            "access_token": keyring(g.tenant.slug).sign(claims, ACCESS_TOKEN_ALG, typ="at+jwt"),
            "expires_in": ttl,
        }
        if scope:
            token["scope"] = scope
        if include_refresh_token and isinstance(user, AuthContext):
            token["refresh_token"] = new_secret(32)
        g.issued_access = (jti, now + ttl)
        return token


def record_user_tokens(token: dict, client_id: str, ctx: AuthContext, scope: str,
                       new_refresh_token: bool = True) -> None:
    """Persist what is needed to revoke later: the access-token jti and the refresh token
    (unless it is a successor issued again within the rotation grace period), in the token
    request's one transaction with what the grant did before (the code's burn, the refresh
    token's rotation): the token endpoint commits it once its answer is ready
    (:func:`idp.oidc.views.token`)."""
    jti, exp = g.issued_access
    tenant = g.tenant.slug
    db.session.add(IssuedAccessToken(
        tenant=tenant, jti=jti, family_id=ctx.family_id, client_id=client_id, sid=ctx.sid,
        expires_at=utcnow() + timedelta(seconds=exp - int(time.time())),
    ))
    if "refresh_token" in token and new_refresh_token:
        db.session.add(RefreshToken(
            tenant=tenant, token_hash=digest(token["refresh_token"]), family_id=ctx.family_id,
            client_id=client_id, account_id=ctx.account.id, scope=scope,
            auth_time=ctx.auth_time, acr=ctx.acr, amr=ctx.amr, sid=ctx.sid,
            expires_at=utcnow() + timedelta(seconds=_settings().tokens.refresh_token_ttl),
        ))


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
        update(RefreshToken)
        .where(RefreshToken.tenant == g.tenant.slug, RefreshToken.family_id == family_id,
               RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    issued = db.session.execute(scoped(IssuedAccessToken, family_id=family_id)).scalars().all()
    for row in issued:
        deny_access_token(row.jti, row.expires_at)
    if commit:
        db.session.commit()
    log.warning("tokens_revoked tenant=%s family=%s reason=%s count=%d",
                g.tenant.slug, family_id, reason, len(issued))
    return len(issued)


def void_session_codes(sid: str) -> None:
    """The session's codes not yet redeemed die with it (they would redeem after a logout).

    An exchange in flight holds its code's row until its tokens are written (see
    ``grants._burn_code``): this UPDATE waits for it, and the tokens it wrote are then among
    those :func:`revoke_session_tokens` finds next."""
    now = utcnow()
    db.session.execute(
        update(AuthorizationCode)
        .where(AuthorizationCode.tenant == g.tenant.slug, AuthorizationCode.sid == sid,
               AuthorizationCode.used_at.is_(None), AuthorizationCode.expires_at > now)
        .values(expires_at=now)
    )


def revoke_session_tokens(sid: str, commit: bool = True) -> None:
    """Logout: void the session's unused codes, end its refresh and access tokens (in one
    transaction, the caller's when ``commit`` is false). The families are found through the
    refresh tokens too: ``idp purge`` deletes access-token rows minutes after they expire,
    while the refresh tokens of the same family live for days."""
    void_session_codes(sid)
    families = db.session.execute(
        select(IssuedAccessToken.family_id).where(IssuedAccessToken.tenant == g.tenant.slug, IssuedAccessToken.sid == sid)
        .union(select(RefreshToken.family_id).where(RefreshToken.tenant == g.tenant.slug, RefreshToken.sid == sid,
                                                    RefreshToken.revoked_at.is_(None)))
    ).scalars().all()
    for family in families:
        revoke_family(family, "logout", commit=False)
    if commit:
        db.session.commit()


def is_denied(jti: str) -> bool:
    return db.session.get(RevokedToken, jti) is not None


class InvalidToken(Exception):
    pass


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
