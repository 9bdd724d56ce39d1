"""The level of assurance a request needs, and whether a session holds it (eIDAS levels as
FranceConnect names them: ``eidas1`` one factor, ``eidas2`` "substantiel", two factors).

The highest of what asks it decides: the tenant (``[tenants.<slug>.mfa] required``), the
client (``idp clients create --require-acr eidas2``), the request (``acr_values`` naming only
levels above ``eidas1``, as FranceConnect asks ``eidas2``, or an essential ``acr`` claim
whose ``value``/``values`` are all above ``eidas1``: OIDC Core §5.5.1.1). A request may
name ``eidas3``: this provider answers at most ``eidas2``, which the ID token then says (the
client decides whether that is enough), as voluntary ``acr_values`` allow.

A session at ``eidas2`` holds it while its factor is within the request's ``max_age`` (the
factor's time is the session's ``mfa_time``, else its login's for a login that was already
two factors, FranceConnect+ at ``eidas2``).
"""

from __future__ import annotations

import time

ORDER = ("eidas1", "eidas2", "eidas3")
SUPPORTED = ("eidas1", "eidas2")


def rank(acr: str | None) -> int:
    return ORDER.index(acr) if acr in ORDER else 0


def _asked_by_request(params: dict, claims_request: dict | None) -> str:
    asked = [v for v in (params.get("acr_values") or "").split() if v in ORDER]
    needed = min(asked, key=rank) if asked else "eidas1"
    acr = ((claims_request or {}).get("id_token") or {}).get("acr")
    if isinstance(acr, dict) and acr.get("essential"):
        values = acr.get("values") if isinstance(acr.get("values"), list) else [acr.get("value")]
        known = [v for v in values if v in ORDER]
        if known:
            needed = max(needed, min(known, key=rank), key=rank)
    return needed


def needed(params: dict, claims_request: dict | None, client_minimum: str | None, tenant_requires: bool) -> str:
    """``eidas1`` or ``eidas2``: what the answer to this request needs."""
    levels = [_asked_by_request(params, claims_request), client_minimum or "eidas1",
              "eidas2" if tenant_requires else "eidas1"]
    return SUPPORTED[min(max(rank(level) for level in levels), len(SUPPORTED) - 1)]


def holds(session, level: str, max_age: int | None = None) -> bool:
    """The session is at ``level`` or above, its factor within ``max_age`` seconds."""
    if session is None or rank(session.acr) < rank(level):
        return False
    if max_age is None or rank(level) < 1:
        return True
    factor_time = session.mfa_time or session.auth_time
    return time.time() - factor_time <= max_age
