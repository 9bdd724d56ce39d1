"""RP-initiated logout at ``/api/v2/session/end`` (OIDC RP-Initiated Logout 1.0 §2, §3).

As FC's DTO: ``id_token_hint`` required, ``state`` and ``post_logout_redirect_uri``
optional; the hint must be an id_token this stand-in signed (expiry ignored) and the
redirect must be registered for the hint's client (design note §6, pitfall §10).
"""

from __future__ import annotations

import logging

from devtools.fc_standin.errors import StandinError
from devtools.fc_standin.state import Client, StandinState

log = logging.getLogger("devtools.fc_standin")


def end_session(params: dict, standin: StandinState) -> tuple[dict, str | None]:
    """Log the session out; returns the record and the URI to redirect to, if any."""
    claims = _hinted_claims(params.get("id_token_hint"), standin)
    client = _hinted_client(claims, standin)
    redirect_uri = params.get("post_logout_redirect_uri")
    if redirect_uri and redirect_uri not in client.post_logout_redirect_uris:
        raise StandinError("invalid_request", "post_logout_redirect_uri is not registered for this client")
    if claims.get("sid"):
        standin.end_session(claims["sid"])
    logout = {"client_id": client.client_id, "sub": claims.get("sub", ""), "state": params.get("state")}
    standin.logouts.append(logout)
    log.info("logout client_id=%s", client.client_id)
    return logout, redirect_uri


def _hinted_claims(hint: str | None, standin: StandinState) -> dict:
    if not hint:
        raise StandinError("invalid_request", "id_token_hint is required")
    claims = standin.signing_key.verified_claims(hint)
    if claims is None or claims.get("iss") != standin.issuer:
        raise StandinError("invalid_request", "id_token_hint was not issued by this provider")
    return claims


def _hinted_client(claims: dict, standin: StandinState) -> Client:
    audience = claims.get("aud")
    client_id = audience[0] if isinstance(audience, list) and audience else audience
    client = standin.clients.get(client_id) if isinstance(client_id, str) else None
    if client is None:
        raise StandinError("invalid_request", "id_token_hint audience is not a known client")
    return client
