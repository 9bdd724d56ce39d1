"""Clients as Authlib sees them (``ClientMixin``), and the keyed hash of client secrets.

Client secrets are random 256-bit values, not passwords: they are stored as an HMAC-SHA256
under a server-side pepper, which is as safe against a database leak as a slow hash for a
secret of that entropy, and costs microseconds at the token endpoint.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from types import SimpleNamespace

from flask import current_app, g
from joserfc.jwk import KeySet

from idp.clients.profiles import ClientProfile, profile_of
from idp.store.db import scoped_first
from idp.store.models import Client

AUTH_METHODS = ("client_secret_basic", "client_secret_post", "private_key_jwt", "none")
GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")


def hash_client_secret(secret: str, pepper: str | None = None) -> str:
    pepper = pepper or current_app.config["IDP_SETTINGS"].server.client_secret_pepper
    return hmac.new(pepper.encode(), secret.encode(), hashlib.sha256).hexdigest()


def new_client_secret() -> str:
    return secrets.token_urlsafe(32)


class OAuthClient:
    """Authlib's client interface over a :class:`~idp.store.models.Client` row."""

    def __init__(self, row: Client):
        self.row = row
        self.client_id = row.client_id

    # -- identity -----------------------------------------------------------------
    def get_client_id(self) -> str:
        return self.row.client_id

    @property
    def client_metadata(self) -> dict:
        return {"post_logout_redirect_uris": list(self.row.post_logout_redirect_uris or [])}

    @property
    def id_token_signed_response_alg(self) -> str:
        return self.row.id_token_signed_response_alg or "RS256"

    @property
    def userinfo_signed_response_alg(self) -> str | None:
        """None: userinfo as JSON; an alg: as a JWT signed with it (OIDC Core §5.3.2)."""
        return self.row.userinfo_signed_response_alg

    @property
    def profile(self) -> ClientProfile:
        """What the client's kind changes in the engine (:mod:`idp.clients.profile`): claim
        formats and scope table, token lifetime, required identity; the row names it."""
        return profile_of(self)

    # -- redirect URIs: exact string comparison (RFC 9700 §4.1.3) -------------------
    def get_default_redirect_uri(self) -> str | None:
        uris = self.row.redirect_uris or []
        return uris[0] if len(uris) == 1 else None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in (self.row.redirect_uris or [])

    # -- scope, response and grant types --------------------------------------------
    def get_allowed_scope(self, scope: str) -> str:
        if not scope:
            return ""
        allowed = set(self.row.scope.split())
        return " ".join(s for s in scope.split() if s in allowed)

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and "authorization_code" in self.row.grant_types

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in (self.row.grant_types or [])

    # -- authentication ----------------------------------------------------------------
    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == self.row.auth_method

    def check_client_secret(self, client_secret: str) -> bool:
        if not self.row.secret_hash:
            return False
        return hmac.compare_digest(self.row.secret_hash, hash_client_secret(client_secret))

    def public_keys(self) -> KeySet:
        return KeySet.import_key_set(self.row.jwks or {"keys": []})

    @property
    def is_public(self) -> bool:
        return self.row.public


CLIENT_TTL = 10.0
_clients: dict[tuple[str, str], tuple[float, object]] = {}


def _snapshot(row: Client) -> SimpleNamespace:
    return SimpleNamespace(**{c.name: getattr(row, c.name) for c in Client.__table__.columns})


def find_client(client_id: str | None, tenant: str | None = None) -> OAuthClient | None:
    """The client, from a per-process cache of ``CLIENT_TTL`` seconds.

    Clients change rarely (operators, through the CLI) and are read on every token request:
    the bench showed the read as the largest cost of a client_credentials token. A deleted
    or edited client is seen by every process within ``CLIENT_TTL`` seconds."""
    if not client_id:
        return None
    key = (tenant or g.tenant.slug, client_id)
    cached = _clients.get(key)
    if cached and cached[0] > time.monotonic():
        return OAuthClient(cached[1]) if cached[1] else None
    row = scoped_first(Client, key[0], client_id=client_id)
    snapshot = _snapshot(row) if row else None
    _clients[key] = (time.monotonic() + CLIENT_TTL, snapshot)
    return OAuthClient(snapshot) if snapshot else None


def forget_clients() -> None:
    _clients.clear()
