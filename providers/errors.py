"""The one exception an upstream login raises, and how its details stay safe to log.

Every failure of an upstream OpenID Connect login (OIDC Core 1.0 §3.1.2.6 callback errors,
§3.1.3.4 token errors, §3.1.3.7 ID token validation, §5.3.4 userinfo validation) becomes an
``UpstreamError`` with a short machine ``code`` the IdP maps to a page and a log event, and a
``detail`` meant for operators. The detail never carries a token, an authorization code, a
secret or personal data: values that come from the network are reduced to a short token of
safe characters first (:func:`safe_value`), which also stops log injection.
"""

from __future__ import annotations

import re

__all__ = ["UpstreamError", "ERROR_CODES", "safe_value"]

#: Every code an ``UpstreamError`` may carry, so that callers can map them exhaustively.
ERROR_CODES = frozenset(
    {
        "callback_error",  # the upstream redirected back with an ``error`` (not access_denied)
        "access_denied",  # the user refused or cancelled at the upstream
        "state_mismatch",  # the callback does not belong to this pending login (CSRF)
        "missing_code",  # neither error nor code on the callback
        "upstream_unavailable",  # timeouts, connection errors, HTTP 5xx
        "token_error",  # token endpoint refused (4xx) or answered without an ID token
        "bad_signature",  # signature invalid, or made with an algorithm we refuse
        "bad_id_token",  # malformed, not encrypted when required, wrong iss/aud/azp/sub
        "expired",  # exp passed (beyond the clock-skew leeway)
        "nonce_mismatch",  # ID token replayed or not for this login
        "userinfo_not_jwt",  # JSON userinfo where a signed JWT is required
        "userinfo_error",  # userinfo 4xx, malformed, undecryptable or wrong iss/aud
        "subject_mismatch",  # userinfo sub differs from the ID token sub (OIDC Core §5.3.2)
        "acr_too_low",  # authentication level lower than asked, or missing
        "config",  # our configuration or the upstream metadata is unusable
    }
)

_SAFE = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def safe_value(value: object) -> str:
    """Return ``value`` if it is a short, plain token (an OAuth error code, an alg name),
    else ``"<invalid>"``: network input reaches the logs only in this form."""
    if isinstance(value, str) and _SAFE.fullmatch(value):
        return value
    return "<invalid>"


class UpstreamError(Exception):
    """An upstream login failed; ``code`` says how, ``detail`` says why (safe to log)."""

    def __init__(self, code: str, detail: str = "") -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"unknown upstream error code {code!r}")
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
