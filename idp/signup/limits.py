"""Limits on what an anonymous caller can make the signup answer or compute
(OWASP ASVS 5 anti-automation; ``[signup_limits]``).

Three kinds of free work or free answers are bounded:

- *checks*: answers about someone else's data — ameli's reference directory, whether an
  account exists for a NIR, whether an email is in use — per address (an hour) and, when
  the answer is about a number, per number (a day), so that neither one machine with a
  list of NIRs nor many machines on one NIR learn much;
- *password steps*: each submission of the password step, per address, and each request of
  its live checklist (``/signup/password-check``: a policy check and a strength estimate of
  up to 1024 characters, free to an anonymous caller), per address;
- *uploads*: supporting documents, per pending account and per address (a day).

Each limit is a fixed window in the shared counters (:mod:`idp.security.counters`: Redis when
configured, so every worker sees one count). Every attempt counts, whatever its outcome,
so that reaching the limit tells nothing either. A number is counted under its keyed
blind index, never in clear.
"""

from __future__ import annotations

import math

from flask import current_app, g, request
from flask_babel import lazy_gettext as _l, ngettext

from idp.security.vault import vault

HOUR, DAY = 3600, 86400
MESSAGES = {
    "checks": _l("Trop de vérifications en peu de temps. Réessayez dans %(delay)s."),
    "password": _l("Trop d'essais pour cette étape. Réessayez dans %(delay)s."),
    "password-check": _l("Trop de vérifications du mot de passe. Réessayez dans %(delay)s."),
    "uploads": _l("Trop de justificatifs envoyés. Réessayez dans %(delay)s."),
}


def _settings():
    return current_app.config["IDP_SETTINGS"].signup_limits


def _address() -> str:
    return f"ip:{request.remote_addr}"


def number_key(number: str) -> str:
    return "nir:" + vault().index(g.tenant.slug, number)


def _spend(bucket: str, limits: list[tuple[str, int, int]]) -> str | None:
    """Count one attempt against each ``(subject, limit, window)``; the French refusal
    when one of them is over its limit, else None."""
    counters = current_app.extensions["idp_counters"]
    wait = 0
    for subject, limit, window in limits:
        key = f"signup-{bucket}:{g.tenant.slug}:{subject}"
        if counters.incr(key, window) > limit:
            wait = max(wait, counters.locked_for(key) or window)
    return MESSAGES[bucket] % {"delay": _delay(wait)} if wait else None


def _delay(seconds: int) -> str:
    """``"45 minutes"``, ``"24 heures"`` (rounded up)."""
    minutes = max(1, math.ceil(seconds / 60))
    if minutes < 120:
        return ngettext("%(num)d minute", "%(num)d minutes", minutes)
    hours = math.ceil(minutes / 60)
    return ngettext("%(num)d heure", "%(num)d heures", hours)


def check(number: str | None = None) -> str | None:
    """One answer about someone's data: per address, and per number when there is one."""
    limits = [(_address(), _settings().checks_per_address, HOUR)]
    if number:
        limits.append((number_key(number), _settings().checks_per_number, DAY))
    return _spend("checks", limits)


def password_step() -> str | None:
    return _spend("password", [(_address(), _settings().password_steps_per_address, HOUR)])


def password_check() -> str | None:
    return _spend("password-check", [(_address(), _settings().password_checks_per_address, HOUR)])


def upload(account_id: str) -> str | None:
    settings = _settings()
    return _spend("uploads", [(f"account:{account_id}", settings.uploads_per_signup, DAY),
                              (_address(), settings.uploads_per_address, DAY)])
