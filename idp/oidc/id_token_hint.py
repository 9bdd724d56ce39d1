"""Reading an ``id_token_hint`` (OIDC Core §3.1.2.1, RP-Initiated Logout 1.0 §2 and §4).

The tenant's keys sign several kinds of tokens: ID tokens, access tokens (RFC 9068,
``typ: at+jwt``), logout tokens (``logout+jwt``) and signed UserInfo responses. A hint is
accepted only as an ID token this issuer signed for the client, as Keycloak checks the
type, issuer and client of its hints:

- signed by one of the tenant's published keys (RS256 or ES256);
- no ``typ``, or ``JWT`` (RFC 8725 §3.11: explicit types tell the kinds apart);
- ``iss`` is the tenant's issuer, ``sub`` is present;
- ``aud`` names the client of the request (``client_id``) or, without one, exactly one
  client, which must be registered in this tenant;
- ``auth_time`` is present: every ID token this provider signs carries it, a signed
  UserInfo response (also ``typ: JWT``) never does.

``exp`` is not checked: RP-Initiated Logout §2 asks the OP to accept expired ID tokens of
a current or recent session, and at the authorization endpoint a hint only names whom the
client expects to be logged in.
"""

from __future__ import annotations

from flask import g
from joserfc.errors import JoseError

from idp.security.audit import audit
from idp.store.keystore import keyring
from idp.clients.model import find_client
from idp.oidc.errors import InvalidRequest

NOT_AN_ID_TOKEN = "'id_token_hint' is not an ID token of this issuer."
OTHER_ISSUER = "'id_token_hint' was issued by another issuer."
OTHER_CLIENT = "'id_token_hint' was not issued to this client."
REASONS = {NOT_AN_ID_TOKEN: "not_an_id_token", OTHER_ISSUER: "other_issuer", OTHER_CLIENT: "other_client"}


class InvalidHint(InvalidRequest):
    """The hint is not an ID token of this issuer for the client: ``invalid_request``, whose
    description says why (the authorization endpoint sends it to the trusted client)."""


def _audiences(claims: dict) -> list[str]:
    aud = claims.get("aud")
    aud = [aud] if isinstance(aud, str) else aud
    if not isinstance(aud, list) or not aud or not all(isinstance(a, str) for a in aud):
        raise InvalidHint(NOT_AN_ID_TOKEN)
    return aud


def _check_client(claims: dict, client_id: str | None) -> None:
    audiences = _audiences(claims)
    if client_id is not None:
        if client_id not in audiences:
            raise InvalidHint(OTHER_CLIENT)
        return
    if len(audiences) != 1 or find_client(audiences[0]) is None:
        raise InvalidHint(OTHER_CLIENT)


def hinted_claims(hint: str, client_id: str | None = None) -> dict:
    """The claims of ``hint`` once it is known to be an ID token of this issuer for
    ``client_id`` (or for a client of this tenant); :class:`InvalidHint` otherwise."""
    try:
        return _checked(hint, client_id)
    except InvalidHint as refused:
        audit("id_token_hint", "failure", reason=REASONS[refused.description], client_id=client_id)
        raise


def _checked(hint: str, client_id: str | None) -> dict:
    try:
        token = keyring(g.tenant.slug).verify(hint)
    except (JoseError, ValueError, LookupError, TypeError):
        raise InvalidHint(NOT_AN_ID_TOKEN) from None
    typ = token.header.get("typ")
    claims = dict(token.claims)
    if typ is not None and str(typ).upper() != "JWT":
        raise InvalidHint(NOT_AN_ID_TOKEN)
    if not isinstance(claims.get("sub"), str) or "auth_time" not in claims:
        raise InvalidHint(NOT_AN_ID_TOKEN)
    if claims.get("iss") != g.tenant.issuer:
        raise InvalidHint(OTHER_ISSUER)
    _check_client(claims, client_id)
    return claims
