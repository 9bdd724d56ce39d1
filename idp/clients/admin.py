"""Registering clients: validation of their metadata (RFC 7591 §2, RFC 9700 §4.1).

The one service behind ``idp clients …`` and the admin API's clients operations
(:mod:`idp.admin.api`): each change commits and writes its audit event here."""

from __future__ import annotations

import json
import secrets
from urllib.parse import urlsplit

from idp.clients.model import forget_clients, hash_client_secret, new_client_secret
from idp.clients.profiles import ProfileError, apply_profile
from idp.oidc.claims import SUPPORTED_SCOPES
from idp.oidc.discovery import SIGNING_ALGS
from idp.oidc.subjects import SectorError, check_registration, default_subject_type
from idp.security.audit import audit
from idp.store.db import db, scoped_all, scoped_first, unscoped
from idp.store.models import Client

LOOPBACK = {"127.0.0.1", "localhost", "[::1]"}


class ClientError(ValueError):
    pass


def check_uri(uri: str, option: str) -> str:
    """Absolute, no fragment, https except on loopback (RFC 9700 §4.1.1, RFC 8252 §7.3)."""
    parts = urlsplit(uri)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ClientError(f"{option}: {uri!r} must be an absolute http(s) URL")
    if parts.fragment or "#" in uri:
        raise ClientError(f"{option}: {uri!r} must not contain a fragment")
    if parts.scheme == "http" and parts.hostname not in {"127.0.0.1", "localhost", "::1"}:
        raise ClientError(f"{option}: {uri!r} must use https (http only for loopback)")
    return uri


def _grant_types(public: bool, requested) -> list[str]:
    grant_types = list(dict.fromkeys(requested or ["authorization_code", "refresh_token"]))
    if public and "client_credentials" in grant_types:
        raise ClientError("--grant-type: a public client cannot use client_credentials")
    return grant_types


def create_client(tenant: str, *, profile: str | None = None, franceconnect_host: str | None = None,
                  **options):
    """Validate and store a client; returns the row and the clear secret (None if public).

    Options left unset (None or empty) take their defaults, or the ``profile``'s
    (:mod:`idp.clients.profiles`)."""
    given = {k: v for k, v in options.items() if v is not None and v != () and v != []}
    try:
        given = apply_profile(profile, given, franceconnect_host)
    except ProfileError as exc:
        raise ClientError(str(exc)) from None
    return _store_client(tenant, profile=profile, **given)


def _check_alg(alg: str | None, option: str) -> None:
    if alg is not None and alg not in SIGNING_ALGS:
        raise ClientError(f"{option}: {alg!r} is not one of {', '.join(SIGNING_ALGS)}")


def _store_client(tenant: str, *, name, redirect_uris=(), post_logout_redirect_uris=(), public=False,
                  auth_method="client_secret_basic", first_party=False, scope="openid profile email",
                  grant_types=(), backchannel_logout_uri=None, jwks_file=None, client_id=None,
                  secret: str | None = None, id_token_signed_response_alg="RS256",
                  userinfo_signed_response_alg=None, profile=None,
                  require_pushed_authorization_requests=False, dpop_bound_access_tokens=False,
                  subject_type=None, sector_identifier_uri=None, require_acr=None):
    redirect_uris = [check_uri(u, "--redirect-uri") for u in redirect_uris]
    post_logout = [check_uri(u, "--post-logout-redirect-uri") for u in post_logout_redirect_uris]
    if backchannel_logout_uri:
        check_uri(backchannel_logout_uri, "--backchannel-logout-uri")
    unknown = [s for s in scope.split() if s not in SUPPORTED_SCOPES]
    if unknown:
        raise ClientError(f"--scope: unknown scopes {unknown}")
    _check_alg(id_token_signed_response_alg, "--id-token-signed-response-alg")
    _check_alg(userinfo_signed_response_alg, "--userinfo-signed-response-alg")
    grant_types = _grant_types(public, grant_types)
    if "authorization_code" in grant_types and not redirect_uris:
        raise ClientError("--redirect-uri: required for authorization_code")
    jwks = None
    if public:
        auth_method = "none"
    elif auth_method == "private_key_jwt":
        if not jwks_file:
            raise ClientError("--jwks-file: required for private_key_jwt")
        with open(jwks_file, encoding="utf-8") as f:
            jwks = json.load(f)
    if not client_id:
        client_id = secrets.token_urlsafe(16)
        while client_id.startswith("-"):   # a leading "-" would read as an option on a command line
            client_id = secrets.token_urlsafe(16)
    if scoped_first(Client, tenant, client_id=client_id):
        raise ClientError(f"--client-id: {client_id!r} already exists in tenant {tenant!r}")
    subject_type = subject_type or default_subject_type(tenant)
    try:
        check_registration(subject_type, redirect_uris, sector_identifier_uri)
    except SectorError as exc:
        raise ClientError(str(exc)) from None
    secret = None if public or auth_method == "private_key_jwt" else (secret or new_client_secret())
    row = Client(
        tenant=tenant, client_id=client_id, name=name, public=public, auth_method=auth_method,
        secret_hash=hash_client_secret(secret) if secret else None, first_party=first_party,
        scope=scope, redirect_uris=redirect_uris, post_logout_redirect_uris=post_logout,
        grant_types=grant_types, backchannel_logout_uri=backchannel_logout_uri, jwks=jwks,
        id_token_signed_response_alg=id_token_signed_response_alg,
        userinfo_signed_response_alg=userinfo_signed_response_alg, profile=profile,
        require_pushed_authorization_requests=bool(require_pushed_authorization_requests),
        dpop_bound_access_tokens=bool(dpop_bound_access_tokens),
        subject_type=subject_type, sector_identifier_uri=sector_identifier_uri,
        require_acr=None if require_acr == "eidas1" else require_acr,
    )
    db.session.add(row)
    db.session.commit()
    forget_clients()
    audit("client.registered", tenant=tenant, client_id=row.client_id, profile=profile)
    return row, secret


def describe(row: Client) -> dict:
    return {
        "tenant": row.tenant, "client_id": row.client_id, "name": row.name, "public": row.public,
        "token_endpoint_auth_method": row.auth_method, "first_party": row.first_party,
        "scope": row.scope, "redirect_uris": row.redirect_uris,
        "post_logout_redirect_uris": row.post_logout_redirect_uris, "grant_types": row.grant_types,
        "backchannel_logout_uri": row.backchannel_logout_uri,
        "id_token_signed_response_alg": row.id_token_signed_response_alg,
        "userinfo_signed_response_alg": row.userinfo_signed_response_alg, "profile": row.profile,
        "require_pushed_authorization_requests": bool(row.require_pushed_authorization_requests),
        "dpop_bound_access_tokens": bool(row.dpop_bound_access_tokens),
        "subject_type": row.subject_type, "sector_identifier_uri": row.sector_identifier_uri,
        "require_acr": row.require_acr,
    }


def list_clients(tenant: str | None):
    if tenant:
        return scoped_all(Client, tenant)
    every = unscoped(Client, reason="the operator's listing of every tenant's clients")
    return list(db.session.execute(every.order_by(Client.tenant)).scalars())


def show_client(tenant: str | None, client_id: str) -> Client | None:
    if tenant:
        return scoped_first(Client, tenant, client_id=client_id)
    # a client_id is unique within a tenant only: without --tenant, it must designate one client
    named = unscoped(Client, reason="the operator names a client without its tenant")
    rows = list(db.session.execute(named.where(Client.client_id == client_id)).scalars())
    return rows[0] if len(rows) == 1 else None


def delete_client(tenant: str | None, client_id: str) -> bool:
    row = show_client(tenant, client_id)
    if row is None:
        return False
    db.session.delete(row)
    db.session.commit()
    forget_clients()
    audit("client.deleted", tenant=row.tenant, client_id=client_id)
    return True


def set_subject_type(tenant: str | None, client_id: str, subject_type: str,
                     sector_identifier_uri: str | None = None) -> Client | None:
    """Change a client's subject type (``idp clients subject-type``): every ``sub`` its users
    have there changes (README, "Identifiants pairwise"), and userinfo refuses the access
    tokens issued before (their ``sub`` no longer maps to the account). None when there is no
    such client."""
    row = show_client(tenant, client_id)
    if row is None:
        return None
    try:
        check_registration(subject_type, row.redirect_uris or [], sector_identifier_uri)
    except SectorError as exc:
        raise ClientError(str(exc)) from None
    row.subject_type, row.sector_identifier_uri = subject_type, sector_identifier_uri
    db.session.commit()
    forget_clients()
    return row
UPDATABLE = ("name", "redirect_uris", "post_logout_redirect_uris", "scope", "backchannel_logout_uri", "first_party")


def update_client(tenant: str, client_id: str, changes: dict) -> Client | None:
    """Change the metadata an operator may change after registration (``UPDATABLE``),
    checked as at registration; the same changes twice leave the same client (idempotent).
    None if there is no such client."""
    row = scoped_first(Client, tenant, client_id=client_id)
    if row is None:
        return None
    unknown = sorted(set(changes) - set(UPDATABLE))
    if unknown:
        raise ClientError(f"cannot be changed: {', '.join(unknown)}")
    if "redirect_uris" in changes:
        uris = [check_uri(u, "redirect_uris") for u in changes["redirect_uris"]]
        if "authorization_code" in row.grant_types and not uris:
            raise ClientError("redirect_uris: required for authorization_code")
        row.redirect_uris = uris
    if "post_logout_redirect_uris" in changes:
        row.post_logout_redirect_uris = [check_uri(u, "post_logout_redirect_uris")
                                         for u in changes["post_logout_redirect_uris"]]
    if "scope" in changes:
        unknown = [s for s in str(changes["scope"]).split() if s not in SUPPORTED_SCOPES]
        if unknown:
            raise ClientError(f"scope: unknown scopes {unknown}")
        row.scope = changes["scope"]
    if "backchannel_logout_uri" in changes:
        uri = changes["backchannel_logout_uri"]
        row.backchannel_logout_uri = check_uri(uri, "backchannel_logout_uri") if uri else None
    if "name" in changes:
        row.name = str(changes["name"])[:200]
    if "first_party" in changes:
        row.first_party = bool(changes["first_party"])
    db.session.commit()
    forget_clients()
    audit("client.updated", tenant=tenant, client_id=client_id)
    return row


def rotate_client_secret(tenant: str, client_id: str) -> tuple[Client | None, str | None]:
    """A new secret for a confidential client, the old one refused from now on; returns the
    row and the clear secret (shown once). ``ClientError`` for a client without a secret."""
    row = scoped_first(Client, tenant, client_id=client_id)
    if row is None:
        return None, None
    if row.secret_hash is None:
        raise ClientError("this client authenticates without a secret")
    secret = new_client_secret()
    row.secret_hash = hash_client_secret(secret)
    db.session.commit()
    forget_clients()
    audit("client.secret_rotated", tenant=tenant, client_id=client_id)
    return row, secret
