"""Signed UserInfo responses (OIDC Core §5.3.2).

A client registered with ``userinfo_signed_response_alg`` receives its claims as a JWT
(``application/jwt``) signed with the tenant's active key of that algorithm, published in
the tenant's JWKS. ``iss`` and ``aud`` are added as §5.3.2 requires, and ``iat`` / ``exp``
because FranceConnect, whose FIs must sign their userinfo, reads them too
(franceconnect.md §4 and §7).
"""

from __future__ import annotations

import time

from flask import current_app, g, make_response

from idp.store.keystore import keyring

MEDIA_TYPE = "application/jwt"


def signed_userinfo(claims: dict, client) -> str:
    now = int(time.time())
    ttl = current_app.config["IDP_SETTINGS"].tokens.id_token_ttl
    payload = {**claims, "iss": g.tenant.issuer, "aud": client.get_client_id(), "iat": now, "exp": now + ttl}
    return keyring(g.tenant.slug).sign(payload, client.userinfo_signed_response_alg, typ="JWT")


def signed_userinfo_response(claims: dict, client):
    response = make_response(signed_userinfo(claims, client))
    response.mimetype = MEDIA_TYPE
    return response
