"""Client profiles: what a known kind of relying party needs, filled in by ``idp clients
create --profile NAME`` wherever the options leave it unset.

``franceconnect`` registers FranceConnect itself as a client, this provider being one of
its identity providers (FI) — ``../shared/design/franceconnect.md`` §7: code flow only,
``client_secret_post`` with a secret of at least 32 characters, userinfo as a signed JWT
(ES256, or RS256), ES256 ID tokens, FranceConnect's ``/api/v2/oidc-callback`` and
``/api/v2/client/logout-callback`` URLs, and no consent page (FranceConnect asks the person
for consent itself). Claims then go out in FranceConnect's formats
(:mod:`idp.oidc.franceconnect_fi`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from idp.oidc.franceconnect_fi import PROFILE as FRANCECONNECT

PROFILES = (FRANCECONNECT,)
FRANCECONNECT_SCOPE = ("openid profile email birth identite_pivot preferred_username given_name "
                       "family_name birthdate gender birthplace birthcountry")
FRANCECONNECT_ALGS = ("ES256", "RS256")
FRANCECONNECT_AUTH_METHODS = ("client_secret_post", "private_key_jwt")
MIN_SECRET_LENGTH = 32


class ProfileError(ValueError):
    pass


def franceconnect_urls(host: str) -> tuple[str, str]:
    """FranceConnect's v2 callback and logout-callback URLs on ``host`` (a host name or an
    https URL, e.g. ``fcp-low.integ01.dev-franceconnect.fr``)."""
    parts = urlsplit(host if "://" in host else f"https://{host}")
    if not parts.netloc:
        raise ProfileError(f"--franceconnect-host: {host!r} is not a host name")
    base = f"{parts.scheme}://{parts.netloc}"
    return f"{base}/api/v2/oidc-callback", f"{base}/api/v2/client/logout-callback"


def apply_profile(profile: str | None, options: dict, franceconnect_host: str | None = None) -> dict:
    """``options`` completed by ``profile``; :class:`ProfileError` when they contradict it."""
    if profile is None:
        if franceconnect_host:
            raise ProfileError("--franceconnect-host: only with --profile franceconnect")
        return dict(options)
    if profile != FRANCECONNECT:
        raise ProfileError(f"--profile: unknown profile {profile!r}; known: {', '.join(PROFILES)}")
    return franceconnect(dict(options), franceconnect_host)


def franceconnect(options: dict, host: str | None) -> dict:
    if options.get("public"):
        raise ProfileError("--public: FranceConnect is a confidential client")
    callback, logout_callback = franceconnect_urls(host) if host else (None, None)
    if not options.get("redirect_uris"):
        if not callback:
            raise ProfileError("--franceconnect-host (or --redirect-uri): required with --profile franceconnect")
        options["redirect_uris"] = [callback]
    if not options.get("post_logout_redirect_uris") and logout_callback:
        options["post_logout_redirect_uris"] = [logout_callback]
    options.setdefault("auth_method", "client_secret_post")
    options.setdefault("scope", FRANCECONNECT_SCOPE)
    options.setdefault("grant_types", ["authorization_code"])
    options.setdefault("userinfo_signed_response_alg", "ES256")
    options.setdefault("id_token_signed_response_alg", "ES256")
    options["first_party"] = True
    _check_franceconnect(options)
    return options


def _check_franceconnect(options: dict) -> None:
    if options["auth_method"] not in FRANCECONNECT_AUTH_METHODS:
        raise ProfileError("--auth-method: FranceConnect authenticates with client_secret_post (or private_key_jwt)")
    for option in ("userinfo_signed_response_alg", "id_token_signed_response_alg"):
        if options[option] not in FRANCECONNECT_ALGS:
            raise ProfileError(f"--{option.replace('_', '-')}: FranceConnect accepts ES256 or RS256")
    secret = options.get("secret")
    if secret is not None and len(secret) < MIN_SECRET_LENGTH:
        raise ProfileError(f"client_secret: FranceConnect needs at least {MIN_SECRET_LENGTH} characters")
