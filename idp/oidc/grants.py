"""Authlib grants filled with our storage: code (OIDC), refresh (rotation), client credentials.

- authorization_code (RFC 6749 §4.1, OIDC Core §3.1): single use; a replayed code is refused
  with ``invalid_grant`` and every token issued from it is revoked (RFC 6749 §4.1.2), also
  when both redemptions arrive at the same instant (the burn and the tokens are one
  transaction); a code dies with its SSO session (logout).
- refresh_token (RFC 6749 §6, RFC 9700 §4.14.2): rotation on every use; presenting a
  rotated token again revokes the whole family, after a short grace period
  (:mod:`.refresh_rotation`).
- client_credentials (RFC 6749 §4.4): no database write per token.
"""

from __future__ import annotations

import functools
import logging
import time
import uuid
from datetime import timedelta

from authlib.oauth2.rfc6749 import grants
from authlib.oidc.core import OpenIDCode as _OpenIDCode
from flask import current_app, g
from sqlalchemy import bindparam

from idp.security.audit import audit
from idp.store.db import db, digest, scoped, scoped_first, scoped_update, utcnow
from idp.store.keystore import keyring
from idp.store.models import Account, AuthorizationCode, RefreshToken, SsoSession
from idp.oidc import dpop
from idp.oidc import refresh_rotation as rotation
from idp.oidc.claims import release, requested_claims
from idp.oidc.context import AuthContext
from idp.oidc.errors import InvalidGrant
from idp.oidc.subjects import remember, sub_for
from idp.oidc.tokens import record_user_tokens, revoke_family
from idp.web.metrics import count_token

log = logging.getLogger("idp.grants")
USER_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"]


def _ttl(name: str) -> int:
    return getattr(current_app.config["IDP_SETTINGS"].tokens, name)


class StoredCode:
    """Authlib's ``AuthorizationCodeMixin`` over a row."""

    def __init__(self, row: AuthorizationCode):
        self.row = row

    def get_redirect_uri(self):
        return self.row.redirect_uri or None

    def get_scope(self):
        return self.row.scope

    def get_nonce(self):
        return self.row.nonce

    def get_auth_time(self):
        return self.row.auth_time

    def get_acr(self):
        return self.row.acr

    def get_amr(self):
        return self.row.amr or None


def _burn_code(row: AuthorizationCode) -> bool:
    """Mark a live code used and name its token family; False if it is used or no longer live.

    Not committed here: the burn commits with the tokens (:func:`idp.oidc.views.token`),
    so the code is never seen used without its family's tokens. Until then the UPDATE holds
    the code's row: a second redemption at the same instant waits, finds the code used, and
    the family it revokes already holds the winner's tokens. A refused exchange (wrong
    verifier or redirect_uri) rolls back and leaves the code to its rightful client, as in
    Hydra, whose token endpoint is one transaction.

    The row is detached first and given the values written: the grant reads it until the
    ID token is signed, after the commit, which would otherwise expire it and cost a SELECT."""
    used_at, family_id = utcnow(), str(uuid.uuid4())
    db.session.expunge(row)
    result = db.session.execute(
        _burn(g.tenant.slug), {"code_id": row.id, "at": used_at, "family_id": family_id}
    )
    row.used_at, row.family_id = used_at, family_id
    return result.rowcount == 1


@functools.cache
def _burn(tenant: str):
    """The conditional UPDATE of :func:`_burn_code` for ``tenant``, built once with its values
    as parameters (as :func:`.refresh_rotation._rotation`): building it per code, and
    SQLAlchemy coercing its values and keying it anew, was CPU for the same SQL (issue 15).
    Its WHERE still matches only a code unused and unexpired at ``at``: that condition, not
    the caller, makes a code single-use when two redemptions race."""
    return (
        scoped_update(AuthorizationCode, tenant, id=bindparam("code_id"))
        .where(AuthorizationCode.used_at.is_(None), AuthorizationCode.expires_at > bindparam("at"))
        .values(used_at=bindparam("at"), family_id=bindparam("family_id"))
    )


def _check_session(row: AuthorizationCode) -> None:
    """A code dies with its SSO session (logout, a session ended from the account page or
    expired): its tokens would otherwise outlive the logout that should have ended them."""
    session = scoped_first(SsoSession, sid=row.sid) if row.sid else None
    if session is None or session.expires_at <= utcnow():
        raise InvalidGrant("The session of this authorization code has ended.")


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = USER_AUTH_METHODS

    def save_authorization_code(self, code, request):
        ctx: AuthContext = request.user
        data = request.payload.data
        row = AuthorizationCode(
            tenant=g.tenant.slug, code_hash=digest(code), client_id=request.client.get_client_id(),
            account_id=ctx.account.id, redirect_uri=data.get("redirect_uri") or "",
            scope=request.scope or "", nonce=data.get("nonce"),
            code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method"),
            auth_time=ctx.auth_time, acr=ctx.acr, amr=ctx.amr, sid=ctx.sid,
            claims_request=ctx.claims_request, dpop_jkt=data.get("dpop_jkt"),
            expires_at=utcnow() + timedelta(seconds=request.client.profile.code_ttl(_ttl("code_ttl"))),
        )
        db.session.add(row)  # committed with the rest of the authorization response

    def query_authorization_code(self, code, client):
        row = scoped_first(AuthorizationCode, code_hash=digest(code))
        if row is None or row.client_id != client.get_client_id():
            return None
        if row.used_at is None:
            dpop.check_code_binding(row.dpop_jkt)   # RFC 9449 §10: before the code is spent
        if row.used_at is None and _burn_code(row):
            _check_session(row)
            return StoredCode(row)
        row = scoped_first(AuthorizationCode, code_hash=row.code_hash)  # as the first use left it
        if row.used_at is None:  # expired, or voided when its session ended
            _check_session(row)
            raise InvalidGrant("The authorization code has expired.")
        audit("code.replayed", "failure", client_id=row.client_id)
        revoke_family(row.family_id, "code_replayed")   # commits: it stands though this request fails
        raise InvalidGrant("The authorization code has already been used.")

    def delete_authorization_code(self, authorization_code):
        """Codes are kept (marked used) until they expire, to detect replays."""

    def authenticate_user(self, authorization_code):
        row = authorization_code.row
        account = scoped_first(Account, id=row.account_id)
        if account is None or account.status != "active":
            return None
        db.session.expunge(account)  # read-only from here: the token's commit must not expire it
        client = self.request.client
        return AuthContext(account, row.auth_time, row.acr, row.amr or [], row.sid,
                           row.family_id, row.claims_request, client.profile, sub_for(client, account.id))


class StoredRefreshToken:
    """A refresh token being used, with the successor it answers with (:mod:`.refresh_rotation`):
    ``new`` when this request rotates it, else the one issued within the grace period."""

    def __init__(self, row: RefreshToken, successor: str, new: bool):
        self.row, self.successor, self.new = row, successor, new

    def check_client(self, client):
        return self.row.client_id == client.get_client_id()

    def get_scope(self):
        return self.row.scope

    def is_expired(self):
        return self.row.expires_at <= utcnow()

    def is_revoked(self):
        return self.row.revoked_at is not None


class RefreshTokenGrant(grants.RefreshTokenGrant):
    """Rotation on every use, reuse revokes the family, a grace period for relying parties
    that refresh from several processes at once (:mod:`.refresh_rotation`)."""

    TOKEN_ENDPOINT_AUTH_METHODS = USER_AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token):
        rotated = rotation.rotate(refresh_token)
        if rotated is not None:
            return StoredRefreshToken(rotated, rotation.successor_of(refresh_token), new=True)
        row = scoped_first(RefreshToken, token_hash=digest(refresh_token))   # as the rotating request left it
        if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
            return None
        successor = rotation.successor_in_grace(row, refresh_token)
        if successor is not None:
            audit("refresh_token.reused_in_grace", client_id=row.client_id)
            return StoredRefreshToken(row, successor, new=False)
        db.session.rollback()
        audit("refresh_token.reused", "failure", client_id=row.client_id)
        revoke_family(row.family_id, "refresh_token_reused")   # commits: it stands though this request fails
        raise InvalidGrant("The refresh token has already been used.")

    def issue_token(self, user, refresh_token):
        token = super().issue_token(user, refresh_token)
        token["refresh_token"] = refresh_token.successor
        return token

    def authenticate_user(self, refresh_token):
        """The account's id and status only: a refresh needs to know the account is still
        active (a suspended or deleted one refreshes nothing), and its id for the tokens'
        ``sub`` and records; it releases no claim (no ID token on refresh). The whole row
        (the sealed identifier, the profile's JSON) was read and made an ORM object for
        that (bench/RESULTS.md, issue 15)."""
        row = refresh_token.row
        dpop.check_refresh_binding(row.dpop_jkt)
        account = db.session.connection().execute(   # Core, as the rotation (.refresh_rotation.rotate)
            _account_status(g.tenant.slug), {"account_id": row.account_id}).first()
        if account is None or account.status != "active":
            return None
        return AuthContext(account, row.auth_time, row.acr, row.amr or [], row.sid, row.family_id,
                           sub=sub_for(self.request.client, account.id))

    def revoke_old_credential(self, refresh_token):
        """Rotation already marked it when it was authenticated."""


@functools.cache
def _account_status(tenant: str):
    """``SELECT id, status`` of one account of ``tenant`` (a Row: ``.id``, ``.status``), built
    once per tenant, the account's id a parameter (as :func:`.refresh_rotation._rotation`)."""
    return scoped(Account, tenant, id=bindparam("account_id")).with_only_columns(Account.id, Account.status).limit(1)


class ClientCredentialsGrant(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt"]


class OpenIDCode(_OpenIDCode):
    """ID token of the code flow (OIDC Core §3.1.3.6), signed with the tenant's active key."""

    def exists_nonce(self, nonce, request):
        return False

    def resolve_client_private_key(self, client):
        return keyring(g.tenant.slug).signing_key(self.get_client_algorithm(client))

    def get_client_algorithm(self, client):
        return client.id_token_signed_response_alg

    def get_encode_header(self, client):
        key = self.resolve_client_private_key(client)
        return {"alg": self.get_client_algorithm(client), "kid": key.kid, "typ": "JWT"}

    def get_client_claims(self, client):
        return {"iss": g.tenant.issuer, "aud": [client.get_client_id()],
                "exp": int(time.time()) + _ttl("id_token_ttl")}

    def get_authorization_code_claims(self, authorization_code):
        claims = super().get_authorization_code_claims(authorization_code)
        if authorization_code.row.sid:
            claims["sid"] = authorization_code.row.sid
        return claims

    def generate_user_info(self, user: AuthContext, scope):
        return release(user.account, requested_claims(user.claims_request, "id_token"),
                       user.client_profile, sub=user.sub)


def save_token(token, request):
    """Authlib's save_token hook: only tokens issued to a person are recorded; a successor
    returned again within the grace period is recorded already."""
    count_token(request.payload.grant_type)
    if isinstance(request.user, AuthContext):
        used = request.refresh_token
        new_refresh = not isinstance(used, StoredRefreshToken) or used.new
        # RFC 9449 §5: a public client's refresh token is bound to its DPoP key
        bound = dpop.proof_key() if request.client.is_public else None
        record_user_tokens(token, request.client.get_client_id(), request.user, token.get("scope", ""),
                           new_refresh_token=new_refresh, dpop_jkt=bound)
        remember(request.client, request.user.account.id)   # userinfo maps a pairwise sub back
