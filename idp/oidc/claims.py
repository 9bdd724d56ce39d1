"""Claims released by scope (OIDC Core §5.4) and by the ``claims`` parameter (§5.5).

Besides the standard scopes, the FranceConnect-style scopes (one scope per identity-pivot
claim, ``birth`` and ``identite_pivot``) are offered so that relying services written for
FranceConnect can use this provider unchanged. A client's profile may bring its own scope
table and claim formats (:mod:`idp.clients.profile`; FranceConnect itself, this provider
being its FI: :mod:`idp.clients.franceconnect_fi`); these are the default profile's.
"""

from __future__ import annotations

from idp.web.params import strict_json

SCOPE_CLAIMS: dict[str, tuple[str, ...]] = {
    "openid": ("sub",),
    "profile": (
        "name", "family_name", "given_name", "middle_name", "nickname", "preferred_username",
        "profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at",
    ),
    "email": ("email", "email_verified"),
    "phone": ("phone_number", "phone_number_verified"),
    "address": ("address",),
    "given_name": ("given_name",),
    "family_name": ("family_name",),
    "preferred_username": ("preferred_username",),
    "birthdate": ("birthdate",),
    "gender": ("gender",),
    "birthplace": ("birthplace",),
    "birthcountry": ("birthcountry",),
    "birth": ("birthplace", "birthcountry"),
    "identite_pivot": ("given_name", "family_name", "birthdate", "gender", "birthplace", "birthcountry"),
    "household": ("household",),
}

SUPPORTED_SCOPES = tuple(SCOPE_CLAIMS) + ("offline_access",)
SUPPORTED_CLAIMS = sorted({c for names in SCOPE_CLAIMS.values() for c in names} | {
    "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "sid", "at_hash",
})


def account_claims(account) -> dict:
    """Every claim the account can give, without empty values."""
    profile = dict(account.profile or {})
    claims = {
        "sub": account.id,
        "given_name": account.given_name,
        "family_name": account.family_name,
        "birthdate": account.birthdate,
        "email": account.email,
        "email_verified": bool(account.email_verified) if account.email else None,
        "phone_number": account.phone_number,
        "phone_number_verified": bool(profile.get("phone_number_verified")) if account.phone_number else None,
        "preferred_username": profile.get("preferred_username"),
        "gender": profile.get("gender"),
        "birthplace": profile.get("birthplace"),
        "birthcountry": profile.get("birthcountry"),
        "address": profile.get("address"),
        "middle_name": profile.get("middle_name"),
        "locale": profile.get("locale"),
    }
    if profile.get("household_file"):
        claims["household"] = household_claim(profile)
    if account.given_name or account.family_name:
        claims["name"] = " ".join(p for p in (account.given_name, account.family_name) if p)
    return {k: v for k, v in claims.items() if v is not None}


def household_claim(profile: dict) -> dict:
    """The household file a member's space is linked to, and the member's rights there
    (seed 003): the responsible person or a holder of a power of attorney has full rights;
    a spouse, a child over 15 or a dependent only their own data. ``verified`` is false:
    the link is declared at signup, until the CAF's file registry confirms it."""
    role = profile.get("household_role", "responsable")
    full = role == "responsable" or bool(profile.get("power_of_attorney"))
    return {"file": profile["household_file"], "role": role, "rights": "full" if full else "limited",
            "power_of_attorney": bool(profile.get("power_of_attorney")), "verified": False}


def names_for_scope(scope: str, profile=None) -> set[str]:
    """The claims ``scope`` releases, by the scope table of the client's ``profile`` (a
    :class:`~idp.clients.profile.ClientProfile`; None: the generic table)."""
    table = profile.scope_claims if profile is not None else SCOPE_CLAIMS
    names: set[str] = set()
    for item in (scope or "").split():
        names.update(table.get(item, ()))
    return names


def requested_claims(claims_request: dict | None, target: str) -> set[str]:
    """Claim names asked for ``userinfo`` or ``id_token`` in a ``claims`` request."""
    if not claims_request:
        return set()
    section = claims_request.get(target) or {}
    return {name for name in section if name in SUPPORTED_CLAIMS}


def requested_subjects(claims_request: dict | None) -> frozenset[str] | None:
    """The ``sub`` values a ``claims`` request accepts (OIDC Core §5.5.1: "If the sub value is
    requested … the Authorization Server MUST NOT reply with an ID Token or Access Token for a
    different user"): ``value`` or ``values`` of ``sub`` in ``id_token`` and ``userinfo``, the
    members' intersection (both must hold). None when it names no subject; ``ValueError`` for
    a value that is not a non-empty string. Read with the claims parameter
    (:func:`idp.oidc.authorize.check_claims_parameter`, at ``/par`` too), compared with the
    session's ``sub`` for the client by :func:`idp.oidc.authorize.check_requested_subject`."""
    accepted = None
    for target in ("id_token", "userinfo"):
        entry = ((claims_request or {}).get(target) or {}).get("sub")
        if not isinstance(entry, dict) or not ({"value", "values"} & set(entry)):
            continue
        values = [entry["value"]] if "value" in entry else entry["values"]
        if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
            raise ValueError("the sub value of claims must be a non-empty string")
        accepted = frozenset(values) if accepted is None else accepted & frozenset(values)
    return accepted


def parse_claims_parameter(raw: str | None) -> dict | None:
    """Parse the ``claims`` request parameter; ``ValueError`` when it is not a JSON object
    (strict JSON, bounded depth: :func:`idp.web.params.strict_json`)."""
    if not raw:
        return None
    value = strict_json(raw)
    if not isinstance(value, dict) or not all(
        isinstance(value.get(k, {}), dict) or value.get(k) is None for k in ("userinfo", "id_token")
    ):
        raise ValueError("claims must be a JSON object with 'userinfo' and 'id_token' members")
    return value


def release(account, names: set[str], profile=None, *, sub: str) -> dict:
    """The claims of ``names`` the account has, in the formats of the client's ``profile``
    (None: the generic formats), with ``sub``: the account's for that client
    (:func:`idp.oidc.subjects.sub_for`), never the account id of :func:`account_claims`."""
    available = profile.claims_of(account) if profile is not None else account_claims(account)
    released = {k: available[k] for k in names if k in available}
    released["sub"] = sub
    return released
