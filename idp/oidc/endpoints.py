"""Introspection (RFC 7662), revocation (RFC 7009) and RP-initiated logout (OIDC RP-Initiated
Logout 1.0) on Authlib's endpoints, for this provider's JWT access tokens and stored refresh
tokens. Introspection and revocation are for confidential clients, about their own tokens."""

from __future__ import annotations

from datetime import datetime, timezone

from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from authlib.oidc.rpinitiated import EndSessionEndpoint
from flask import g

from idp.store.db import digest, scoped_first, utcnow
from idp.store.models import RefreshToken
from idp.clients.model import find_client
from idp.oidc.errors import InvalidRequest, InvalidToken
from idp.oidc.id_token_hint import hinted_claims
from idp.oidc.logout import end_session
from idp.oidc.subjects import sub_for
from idp.oidc.tokens import deny_access_token, revoke_family, verify_access_token

CONFIDENTIAL = ["client_secret_basic", "client_secret_post", "private_key_jwt"]


class AccessToken(dict):
    """A verified JWT access token: live by construction (signature, exp, deny list)."""

    kind = "access_token"

    def get_client_id(self):
        return self["client_id"]

    def check_client(self, client):
        return self["client_id"] == client.get_client_id()

    def is_expired(self):
        return False

    def is_revoked(self):
        return False


class StoredRefresh:
    kind = "refresh_token"

    def __init__(self, row):
        self.row = row

    def get_client_id(self):
        return self.row.client_id

    def check_client(self, client):
        return self.row.client_id == client.get_client_id()

    def is_expired(self):
        return False  # find_token returns live refresh tokens only

    def is_revoked(self):
        return False


def find_token(token_string: str, hint: str | None):
    """The live access token (JWT) or refresh token for ``token_string``, or None."""
    order = ("refresh_token", "access_token") if hint == "refresh_token" else ("access_token", "refresh_token")
    for kind in order:
        if kind == "access_token" and token_string.count(".") == 2:
            try:
                return AccessToken(verify_access_token(token_string))
            except InvalidToken:
                continue
        if kind == "refresh_token":
            row = scoped_first(RefreshToken, token_hash=digest(token_string))
            if row and not row.revoked_at and not row.rotated_at and row.expires_at > utcnow():
                return StoredRefresh(row)
    return None


class Introspection(IntrospectionEndpoint):
    CLIENT_AUTH_METHODS = CONFIDENTIAL

    def query_token(self, token_string, token_type_hint):
        return find_token(token_string, token_type_hint)

    def check_permission(self, token, client, request):
        return token.check_client(client)

    def introspect_token(self, token):
        if token.kind == "access_token":
            keys = ("scope", "client_id", "sub", "exp", "iat", "iss", "aud", "jti", "auth_time", "acr")
            data = {k: token[k] for k in keys if k in token}
            if "cnf" in token:   # RFC 9449 §6.2
                return {"active": True, "token_type": "DPoP", **data, "cnf": token["cnf"]}
            return {"active": True, "token_type": "Bearer", **data}
        row = token.row   # the sub the refresh token's client knows (.subjects)
        return {
            "active": True, "token_type": "refresh_token", "scope": row.scope,
            "client_id": row.client_id, "sub": sub_for(find_client(row.client_id), row.account_id),
            "iss": g.tenant.issuer,
            "exp": int((row.expires_at - datetime(1970, 1, 1)).total_seconds()),
            **({"cnf": {"jkt": row.dpop_jkt}} if row.dpop_jkt else {}),
        }


class Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = CONFIDENTIAL

    def query_token(self, token_string, token_type_hint):
        return find_token(token_string, token_type_hint)

    def revoke_token(self, token, request):
        # Authlib already refused another client's token (RFC 7009 §2.1)
        if token.kind == "access_token":
            deny_access_token(token["jti"], datetime.fromtimestamp(token["exp"], timezone.utc).replace(tzinfo=None))
        else:
            revoke_family(token.row.family_id, "revoked_by_client", commit=False)
        # committed by the revocation endpoint (idp.oidc.views.revoke), once


class EndSession(EndSessionEndpoint):
    """As node-oidc-provider does: a ``post_logout_redirect_uri`` that cannot be honoured is
    an error page rather than silently dropped; without ``id_token_hint`` the person's
    explicit confirmation (the POSTed form) makes a registered URI legitimate."""

    def validate_request(self, request):
        result = super().validate_request(request)
        wanted = request.payload.data.get("post_logout_redirect_uri")
        if wanted and result.redirect_uri is None:
            if result.client is None:
                raise InvalidRequest("'post_logout_redirect_uri' needs 'id_token_hint' or 'client_id'.")
            if not self._is_valid_post_logout_redirect_uri(result.client, wanted):
                raise InvalidRequest("'post_logout_redirect_uri' is not registered for this client.")
        return result

    def is_post_logout_redirect_uri_legitimate(self, request, post_logout_redirect_uri, client, logout_hint):
        return request.method == "POST" and request.payload.data.get("confirm") == "yes"

    def _validate_id_token_hint(self, id_token_hint):
        """Only an ID token of this issuer for a client of this tenant (:mod:`.id_token_hint`);
        Authlib then checks that a ``client_id`` given beside it is its audience.

        Authlib's own (private) hook; were it renamed, Authlib's version would call
        ``get_server_jwks``, which is deliberately not defined here: hints would then fail
        loudly (tests/idp/oidc/test_id_token_hint.py) rather than pass with fewer checks. A
        refused hint is an ``invalid_request`` already (:class:`.id_token_hint.InvalidHint`)."""
        return hinted_claims(id_token_hint)

    def resolve_client_from_id_token_claims(self, id_token_claims):
        """Our ID tokens carry ``aud`` as a one-element list: that element is the client."""
        aud = id_token_claims.get("aud")
        if isinstance(aud, list) and len(aud) == 1:
            aud = aud[0]
        return self.server.query_client(aud) if isinstance(aud, str) else None

    def end_session(self, end_session_request):
        end_session(end_session_request)
