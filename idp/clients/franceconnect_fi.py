"""The ``franceconnect`` client profile: FranceConnect as a client, this provider being one
of its identity providers (FI).

FranceConnect checks each userinfo it receives from an FI (``OidcIdentityDto``, see
``../shared/design/franceconnect.md`` §5 and §7) and refuses the whole login on one bad
claim, so clients registered with the ``franceconnect`` profile get FranceConnect's scope
table and formats instead of the generic ones of :mod:`idp.oidc.claims`:

- ``given_name``: every first name, separated by single spaces; ``family_name``: the birth
  name; ``preferred_username``: the nom d'usage, only when there is one;
- ``birthdate``: ``YYYY-MM-DD``; ``gender``: ``male`` or ``female``;
- ``birthcountry``: the INSEE (COG) country code, ``99100`` for France; ``birthplace``: the
  COG commune code when born in France, ``""`` when born abroad.

Gender and place of birth an account never typed are read from its NIR; an account that
still lacks one of the pivot claims FranceConnect requires gets FranceConnect a clean
``access_denied`` at the authorization endpoint (:func:`incomplete`), not a userinfo that
FranceConnect would refuse; one without an email gives one first (``requires_email``).
FranceConnect reads userinfo once, right after the code exchange, and asks its identity
providers for very short-lived access tokens (its own last 60 s).

Registration (:meth:`FranceConnectProfile.registration`, ``idp clients create --profile
franceconnect``): code flow only, ``client_secret_post`` with a secret of at least 32
characters, userinfo as a signed JWT (ES256, or RS256), ES256 ID tokens, FranceConnect's
``/api/v2/oidc-callback`` and ``/api/v2/client/logout-callback`` URLs, and no consent page
(first party: FranceConnect asks the person for consent itself).

The ``sub`` follows the tenant's ``subject_type`` or ``--subject-type`` like any client's
(:mod:`idp.oidc.subjects`), public by default: FranceConnect never passes it on, it gives each
of its services a pairwise ``sub`` of its own computed from the identity pivot
(franceconnect.md §4), and it is FranceConnect's only client, so a pairwise ``sub`` would
unlink nothing; it would only hide our account id from FranceConnect (``--subject-type
pairwise``, sector FranceConnect's host, does that, and works the same).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from idp.clients.profile import ClientProfile, ProfileError
from policies import cog

from idp.security.vault import vault

FRANCE = cog.FRANCE

# fcp-low.scopes.ts: FranceConnect's own scope → claims table
SCOPE_CLAIMS: dict[str, tuple[str, ...]] = {
    "openid": ("sub",),
    "profile": ("given_name", "family_name", "birthdate", "gender", "preferred_username"),
    "email": ("email",),
    "birth": ("birthplace", "birthcountry"),
    "identite_pivot": ("given_name", "family_name", "birthdate", "gender", "birthplace", "birthcountry"),
    **{name: (name,) for name in ("given_name", "family_name", "preferred_username", "birthdate",
                                  "gender", "birthplace", "birthcountry")},
}

COMMUNE = re.compile(r"^(?:2[AB]|[0-9]{2})[0-9]{3}$")
COUNTRY = re.compile(r"^99[0-9]{3}$")
GENDERS = {
    "male": ("male", "m", "h", "homme", "masculin", "monsieur", "m.", "mr", "1"),
    "female": ("female", "f", "femme", "feminin", "madame", "mme", "mademoiselle", "mlle", "2"),
}


def identity_claims(account) -> dict:
    """Every claim the account can give FranceConnect, in its formats, without empty values
    (except ``birthplace``, which is ``""`` on purpose for a birth abroad)."""
    profile = dict(account.profile or {})
    claims = {
        "sub": account.id,
        "given_name": given_names(account.given_name),
        "family_name": _single_spaced(profile.get("birth_name") or account.family_name),
        "preferred_username": _single_spaced(profile.get("usage_name")),
        "birthdate": birthdate(account.birthdate),
        "gender": gender(profile.get("gender") or profile.get("civility")),
        "email": account.email,
        **birth(profile.get("birthplace"), profile.get("birthcountry")),
    }
    claims = {k: v for k, v in claims.items() if v is not None and (v != "" or k == "birthplace")}
    born_in_france_somewhere = claims.get("birthcountry") == FRANCE and "birthplace" not in claims
    if "gender" not in claims or "birthcountry" not in claims or born_in_france_somewhere:
        for key, value in _from_nir(account).items():
            claims.setdefault(key, value)
    return claims


def _single_spaced(text: str | None) -> str | None:
    return " ".join(text.split()) if text else None


def given_names(text: str | None) -> str | None:
    """"Marie, Louise  Jeanne" → "Marie Louise Jeanne" (FranceConnect: separated by spaces)."""
    return _single_spaced(text.replace(",", " ")) if text else None


def birthdate(value) -> str | None:
    """``YYYY-MM-DD`` from what accounts hold (ISO, or ``DD/MM/YYYY`` typed by hand)."""
    if not value:
        return None
    text = value.isoformat() if hasattr(value, "isoformat") else str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    french = re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", text)
    return f"{french.group(3)}-{french.group(2)}-{french.group(1)}" if french else None


def gender(value) -> str | None:
    """``male`` / ``female`` from a stored gender or civility (``M``, ``femme``, ``madame``...)."""
    if not value:
        return None
    folded = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode().strip().lower()
    return next((g for g, spellings in GENDERS.items() if folded in spellings), None)


def birth(place: str | None, country: str | None) -> dict:
    """``birthplace`` and ``birthcountry``. Signup stores a birth abroad as the country code
    in ``birthplace``; a commune code alone means born in France (``99100``)."""
    place = (place or "").strip().upper()
    country = (country or "").strip()
    if COUNTRY.match(place):
        country, place = country or place, ""
    if not country and COMMUNE.match(place):
        country = FRANCE
    if not COUNTRY.match(country):
        return {}
    if country != FRANCE:
        return {"birthcountry": country, "birthplace": ""}
    return {"birthcountry": country, **({"birthplace": place} if COMMUNE.match(place) else {})}


def _from_nir(account) -> dict:
    """Gender and place of birth read from the account's NIR, for accounts that never typed
    them (created by an operator, or by a signup that does not ask): the NIR's first digit
    is the sex (1/7 male, 2/8 female) and its digits 6-10 the place of birth, read as
    FranceConnect writes it (:func:`policies.identifiers.nir_birth.of_nir`: Corsica's 20 as
    today's 2A/2B, Algeria, Morocco and Tunisia before independence as those countries, a
    commune merged since under the code it had at birth, as the civil registry keeps it)."""
    from flask import current_app

    from policies.identifiers.nir_birth import of_nir

    tenant = current_app.extensions["idp_tenants"].get(account.tenant)
    scheme = tenant.identifier_scheme if tenant is not None else None
    if scheme is None or not scheme.name.startswith("nir"):
        return {}
    # the clear identifier, as idp.accounts.service.account_identifier unseals it (the engine imports no page)
    parts = scheme.decode(vault().unseal(account.tenant, account.identifier_sealed))
    if parts is None:
        return {}
    found = {"gender": {"1": "male", "7": "male", "2": "female", "8": "female"}.get(parts.type_digit)}
    born = of_nir(parts, birthdate(account.birthdate) or "")
    if born.country_known:
        found.update(birth(born.commune or None, born.country))
    return {k: v for k, v in found.items() if v is not None}


PIVOT = ("given_name", "family_name", "birthdate", "gender", "birthcountry")


def incomplete(account) -> list[str]:
    """The identité pivot claims FranceConnect requires that the account cannot give
    (``birthplace`` too when born in France), in FranceConnect's names; ``[]`` when complete.
    FranceConnect refuses the whole identity for one of them missing (franceconnect.md §7)."""
    claims = identity_claims(account)
    missing = [name for name in PIVOT if not claims.get(name)]
    if claims.get("birthcountry") == FRANCE and not claims.get("birthplace"):
        missing.append("birthplace")
    return missing


# -- registration: ``idp clients create --profile franceconnect`` -----------------------------

SCOPE = ("openid profile email birth identite_pivot preferred_username given_name "
         "family_name birthdate gender birthplace birthcountry")
ALGS = ("ES256", "RS256")
AUTH_METHODS = ("client_secret_post", "private_key_jwt")
MIN_SECRET_LENGTH = 32


def callback_urls(host: str) -> tuple[str, str]:
    """FranceConnect's v2 callback and logout-callback URLs on ``host`` (a host name or an
    https URL, e.g. ``fcp-low.integ01.dev-franceconnect.fr``)."""
    parts = urlsplit(host if "://" in host else f"https://{host}")
    if not parts.netloc:
        raise ProfileError(f"--franceconnect-host: {host!r} is not a host name")
    base = f"{parts.scheme}://{parts.netloc}"
    return f"{base}/api/v2/oidc-callback", f"{base}/api/v2/client/logout-callback"


def _check_registration(options: dict) -> None:
    if options["auth_method"] not in AUTH_METHODS:
        raise ProfileError("--auth-method: FranceConnect authenticates with client_secret_post (or private_key_jwt)")
    for option in ("userinfo_signed_response_alg", "id_token_signed_response_alg"):
        if options[option] not in ALGS:
            raise ProfileError(f"--{option.replace('_', '-')}: FranceConnect accepts ES256 or RS256")
    secret = options.get("secret")
    if secret is not None and len(secret) < MIN_SECRET_LENGTH:
        raise ProfileError(f"client_secret: FranceConnect needs at least {MIN_SECRET_LENGTH} characters")


class FranceConnectProfile(ClientProfile):
    """FranceConnect as a client: its scope table and claim formats, its short access tokens,
    the identity it requires before any answer, and its registration defaults."""

    name = "franceconnect"
    title = "FranceConnect"
    scope_claims = SCOPE_CLAIMS
    max_access_token_ttl = 60
    requires_email = True
    requires_claims = True
    incomplete_event = "franceconnect_fi.incomplete_identity"
    upstream = "franceconnect"   # sending its people back to FranceConnect would loop

    def claims_of(self, account) -> dict:
        return identity_claims(account)

    def missing_claims(self, account) -> list[str]:
        return incomplete(account)

    def registration(self, options: dict, host: str | None = None) -> dict:
        options = dict(options)
        if options.get("public"):
            raise ProfileError("--public: FranceConnect is a confidential client")
        callback, logout_callback = callback_urls(host) if host else (None, None)
        if not options.get("redirect_uris"):
            if not callback:
                raise ProfileError("--franceconnect-host (or --redirect-uri): required with --profile franceconnect")
            options["redirect_uris"] = [callback]
        if not options.get("post_logout_redirect_uris") and logout_callback:
            options["post_logout_redirect_uris"] = [logout_callback]
        options.setdefault("auth_method", "client_secret_post")
        options.setdefault("scope", SCOPE)
        options.setdefault("grant_types", ["authorization_code"])
        options.setdefault("userinfo_signed_response_alg", "ES256")
        options.setdefault("id_token_signed_response_alg", "ES256")
        options["first_party"] = True
        _check_registration(options)
        return options


FRANCECONNECT = FranceConnectProfile()
