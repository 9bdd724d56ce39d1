"""Subject identifiers (OIDC Core §8): ``public`` or ``pairwise``, per client.

A ``public`` client receives the account id as ``sub``: one person has the same ``sub`` at
every public client of a tenant, so two services can match their users without the person.
A ``pairwise`` client receives ``sub = hex(HMAC-SHA256(tenant secret, sector "\\0" account
id))`` (64 characters): stable across logins, equal for the clients of one sector (services
of one organisation, on one host, or listed by one ``sector_identifier_uri``), different across
sectors and across tenants, and revealing nothing of the account id (as FranceConnect does for
its relying services, franceconnect.md §4).

- The sector identifier (§8.1) is the host of a validated ``sector_identifier_uri`` or, without
  one, the host of the client's redirect URIs, which must then all be on one host
  (:func:`check_registration`, at ``idp clients create``).
- The tenant secret is derived from ``[server] pairwise_secret``, or by default from
  ``[server] data_protection_key`` (which already must never change: it keys the identifiers'
  blind index). Changing it changes every pairwise ``sub`` of every tenant: each pairwise
  client then sees its users as new people.
- Every ``sub`` that leaves (ID token, access token, userinfo, introspection, logout token)
  is :func:`sub_for`; one that comes back is compared with :func:`sub_for` of the account
  expected (``id_token_hint``) or mapped back by :func:`account_id_for` (userinfo, from the
  access token), through the ``pairwise_subjects`` rows :func:`remember` writes when tokens
  are issued (an HMAC cannot be inverted).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import urlsplit

import requests
from flask import current_app

from idp.store.db import insert_missing, scoped_first
from idp.store.models import PairwiseSubject

PUBLIC, PAIRWISE = "public", "pairwise"
SUBJECT_TYPES = (PUBLIC, PAIRWISE)
FETCH_TIMEOUT = 5          # seconds for the sector_identifier_uri, at registration only
MAX_DOCUMENT_BYTES = 64 * 1024


class SectorError(ValueError):
    """Registration options that give no sector identifier (the message names the option)."""


# -- the sector identifier and the sub ------------------------------------------------------

def _host(uri: str) -> str:
    return (urlsplit(uri).hostname or "").lower()


def sector_of(row) -> str:
    """The client's sector identifier: the host of its ``sector_identifier_uri``, or of its
    redirect URIs (one host, checked at registration)."""
    if row.sector_identifier_uri:
        return _host(row.sector_identifier_uri)
    hosts = sorted({_host(u) for u in row.redirect_uris or []})
    return hosts[0] if hosts else row.client_id   # no redirect URI: no person, no pairwise sub


def is_pairwise(client) -> bool:
    return client is not None and getattr(client.row, "subject_type", None) == PAIRWISE


def _tenant_key(tenant: str) -> bytes:
    server = current_app.config["IDP_SETTINGS"].server
    base = server.pairwise_secret or server.data_protection_key
    return hmac.new(base.encode(), f"pairwise-subject\0{tenant}".encode(), hashlib.sha256).digest()


def pairwise_sub(tenant: str, sector: str, account_id: str) -> str:
    key = _tenant_key(tenant)
    return hmac.new(key, f"{sector}\0{account_id}".encode(), hashlib.sha256).hexdigest()


def sub_for(client, account_id: str) -> str:
    """The ``sub`` of ``account_id`` for ``client`` (an :class:`~idp.clients.model.OAuthClient`;
    None, a client since deleted: the public ``sub``)."""
    if not is_pairwise(client):
        return account_id
    return pairwise_sub(client.row.tenant, sector_of(client.row), account_id)


def remember(client, account_id: str) -> None:
    """Record the pairwise ``sub`` about to be issued in an access token, so that userinfo can
    find its account (:func:`account_id_for`); in the caller's transaction (the token
    request's), once per sector and account."""
    if is_pairwise(client):
        insert_missing(PairwiseSubject, ("sub",), tenant=client.row.tenant,
                       sub=sub_for(client, account_id), account_id=account_id)


def account_id_for(client, sub: str) -> str | None:
    """The account whose ``sub`` for ``client`` is ``sub``, or None. A row is believed only if
    the ``sub`` it maps still is that account's for this client (its sector, today's secret)."""
    if not is_pairwise(client):
        return sub
    row = scoped_first(PairwiseSubject, client.row.tenant, sub=sub)
    if row is None or sub_for(client, row.account_id) != sub:
        return None
    return row.account_id


# -- registration -----------------------------------------------------------------------------

def default_subject_type(tenant: str) -> str:
    """``[tenants.<slug>] subject_type``: what a client registered without ``--subject-type``
    gets. Read at registration only: changing it later changes no existing client."""
    return current_app.config["IDP_SETTINGS"].tenants[tenant].subject_type


def check_registration(subject_type: str, redirect_uris, sector_identifier_uri: str | None) -> None:
    """Refuse a pairwise client without a sector (OIDC Core §8.1, OIDC Registration §5):
    redirect URIs on several hosts need a ``sector_identifier_uri``, which must be https and
    list every redirect URI (fetched now, with a short timeout)."""
    if subject_type not in SUBJECT_TYPES:
        raise SectorError(f"--subject-type: {subject_type!r} is not one of {', '.join(SUBJECT_TYPES)}")
    if sector_identifier_uri:
        if subject_type != PAIRWISE:
            raise SectorError("--sector-identifier-uri: only with --subject-type pairwise")
        check_sector_document(sector_identifier_uri, redirect_uris)
        return
    if subject_type == PAIRWISE and len({_host(u) for u in redirect_uris}) > 1:
        raise SectorError("--sector-identifier-uri: required for a pairwise client whose redirect URIs "
                          "are on several hosts")


def check_sector_document(uri: str, redirect_uris) -> None:
    """The ``sector_identifier_uri`` is https and serves a JSON array holding every redirect URI."""
    parts = urlsplit(uri)
    if parts.scheme != "https" or not parts.hostname or parts.fragment:
        raise SectorError(f"--sector-identifier-uri: {uri!r} must be an https URL without fragment")
    try:
        status, body = _fetch(uri)
    except requests.Timeout:
        raise SectorError(f"--sector-identifier-uri: {uri!r} did not answer within {FETCH_TIMEOUT} s") from None
    except requests.RequestException as exc:
        raise SectorError(f"--sector-identifier-uri: {uri!r} could not be fetched ({type(exc).__name__})") from None
    if status != 200:
        raise SectorError(f"--sector-identifier-uri: {uri!r} answered {status}")
    try:
        listed = json.loads(body.decode("utf-8")) if len(body) <= MAX_DOCUMENT_BYTES else None
    except (UnicodeDecodeError, ValueError):
        listed = None
    if not isinstance(listed, list) or not all(isinstance(u, str) for u in listed):
        raise SectorError(f"--sector-identifier-uri: {uri!r} is not a JSON array of URIs")
    missing = [u for u in redirect_uris if u not in listed]
    if missing:
        raise SectorError(f"--sector-identifier-uri: {uri!r} does not list the redirect URIs {missing}")


def _fetch(uri: str) -> tuple[int, bytes]:
    """The status and at most ``MAX_DOCUMENT_BYTES`` + 1 bytes of the body (a larger one is
    refused without being read whole); no redirect followed."""
    with requests.get(uri, timeout=FETCH_TIMEOUT, allow_redirects=False, stream=True,
                      headers={"Accept": "application/json"}) as response:
        body = b""
        for chunk in response.iter_content(8192):
            body += chunk
            if len(body) > MAX_DOCUMENT_BYTES:
                break
        return response.status_code, body
